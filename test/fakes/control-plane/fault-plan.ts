export type FaultTarget =
  'Hello' | 'GetTask' | 'GetTasks' | 'Heartbeat' | 'FinishTask' | 'UploadAsset' | 'token';

/** Scripted failures: the next `count` calls of a method answer `code` instead of being served. */
export class FaultPlan {
  readonly #pending = new Map<FaultTarget, { code: number; left: number }[]>();

  failNext(target: FaultTarget, code: number, count = 1): void {
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`fake control plane: bad failNext count ${count}`);
    const list = this.#pending.get(target) ?? [];
    list.push({ code, left: count });
    this.#pending.set(target, list);
  }

  /** The code for this call, if a failure is scripted; consumes one. */
  take(target: FaultTarget): number | undefined {
    const list = this.#pending.get(target);
    const head = list?.[0];
    if (!list || !head) return undefined;
    if (--head.left === 0) list.shift();
    return head.code;
  }
}
