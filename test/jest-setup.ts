// Jest's ESM loader builds a core module's synthetic exports by spreading the module object, so a package that
// imports `node:process` (got does) reads `process.stdin` and opens a ref'd pipe to the jest parent. That pipe
// kept workers alive after their last test ("A worker process has failed to exit gracefully"). No test reads
// stdin: let it never hold the event loop.
process.stdin.unref();
