// What the flow needs from the outside world, passed in (never imported as globals) so tests build it
// with a fake clock, a temporary store and a Recall mock.
import type { Config } from '../config.js';
import type { RecallApi, ZoomAppKind } from '../recall/recall-api.js';
import type { Store } from '../store/store.js';

export interface FlowLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface ConnectDeps {
  config: Config;
  store: Store;
  recall: RecallApi;
  /** The Zoom OAuth app's kind, as Recall said at start-up: which Zoom id identifies a credential. */
  appKind: ZoomAppKind;
  now: () => Date;
  log: FlowLogger;
}

export const isoAfter = (from: Date, seconds: number) => new Date(from.getTime() + seconds * 1000).toISOString();
