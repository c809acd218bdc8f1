// Jest's ESM loader builds a core module's synthetic exports by spreading the module object, so a package that
// imports `node:process` (got, a test dependency once, did) reads `process.stdin`, which opens a ref'd pipe to the jest parent in a
// worker. That pipe kept workers alive after their last test, and jest then killed them with a warning. No test
// reads stdin: let it never hold the event loop (a pipe or TTY can be unref'd; a file or /dev/null holds nothing).
const stdin = process.stdin as NodeJS.ReadStream & { unref?: () => void };
stdin.unref?.();
