// Public entry for crash recovery: other commands that touch a workspace call recoverWorkspace()
// first, so a restore killed mid-swap is completed or rolled back before anything else happens.
export { recoverWorkspace, type RecoverOptions, type RecoveryOutcome } from "./swap.js";
export { journalPath, readJournal, type Journal, type JournalStep } from "./journal-file.js";
