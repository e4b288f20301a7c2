/** What the executor tells the CLI while it works; the CLI renders progress from these. */
export type DeployEvent =
  | { readonly type: 'step-start'; readonly id: string; readonly kind: string; readonly action: string }
  | { readonly type: 'step-progress'; readonly id: string; readonly message: string }
  | { readonly type: 'step-done'; readonly id: string; readonly kind: string; readonly action: string; readonly ms: number; readonly message?: string }
  | { readonly type: 'step-failed'; readonly id: string; readonly kind: string; readonly action: string; readonly reason: string; readonly detail: readonly string[]; readonly rolledBack: boolean; readonly source?: string }
  | { readonly type: 'step-skipped'; readonly id: string; readonly because: string };

export type EventSink = (e: DeployEvent) => void;
