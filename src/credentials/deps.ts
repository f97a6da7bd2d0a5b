// What the credential lifecycle needs from the outside world, passed in (never imported as globals). The flow's
// and the health sync's deps are supersets of it, so they hand theirs over as they are.
import type { RecallApi, ZoomAppKind } from '../recall/recall-api.js';
import type { Store } from '../store/store.js';

export interface CredentialLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface CredentialDeps {
  store: Store;
  recall: RecallApi;
  now: () => Date;
  log: CredentialLogger;
}

export interface RegistrationDeps extends CredentialDeps {
  /** The Zoom OAuth app's kind, as Recall said at start-up: which Zoom id identifies a credential. */
  appKind: ZoomAppKind;
}

/** A share of Recall's rate limit: one call is taken before each call to Recall (the health sync's budget). */
export interface CallBudget {
  take(): Promise<void>;
}
