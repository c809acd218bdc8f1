/**
 * Node exits 0 once its event loop has nothing left to do, even when the command's promise never settled (it
 * waits on a callback nothing will call): a sync that stopped half-way would look successful. Until `command`
 * settles, an exit that would be 0 becomes 1, with a line saying why. Returns `exitingOnPurpose`, for the
 * deliberate early exits that should keep their code (output closed by a pipe reader, for example).
 */
export function failUnsettledExit(
  proc: NodeJS.Process,
  command: Promise<unknown>,
  stderr: (text: string) => void,
): { exitingOnPurpose(): void } {
  let settled = false;
  const mark = () => {
    settled = true;
  };
  command.then(mark, mark);
  proc.on('exit', (code) => {
    if (settled || code !== 0) return;
    stderr('baton-fivetran: internal error: the process ran out of work before the command finished\n');
    proc.exitCode = 1;
  });
  return { exitingOnPurpose: mark };
}
