# zsh -f zsh-complete.zsh DIR OUT LINE...: types each LINE and a TAB into an interactive zsh whose
# fpath starts with DIR (holding _pmadmin), then appends the command line as completed to OUT.
zmodload zsh/zpty
dir=$1 out=$2
shift 2
: >| $out
zpty z "zsh -f -i"
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -d ${(q)dir}/zcompdump; unsetopt beep"
zpty -w z "report() { print -r -- \"\$BUFFER\" >> ${(q)out}; BUFFER=; }; zle -N report; bindkey '^X^R' report"
integer count=0 tries
for line in "$@"; do
  zpty -w -n z "$line"$'\t\C-x\C-r'
  (( count++ ))
  tries=0
  while (( tries++ < 150 )) && (( $(wc -l < $out) < count )); do
    zpty -r -t z chunk 2>/dev/null # keep the terminal's output drained
    sleep 0.1
  done
done
zpty -d z
