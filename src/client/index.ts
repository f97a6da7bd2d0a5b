// The package's `./client` entry, for the end user's browser: connect Zoom in a popup or with a redirect, read
// the redirect's result, and read or delete the end user's connection. No Node imports: this is bundled as is.
export { connectZoom, type ConnectSessionLink, type ConnectZoomOptions } from './connect-zoom.js';
export { ZoomConnectError, type ClientErrorCode, type ZoomConnectErrorCode } from './errors.js';
export { deleteMyConnection, getMyConnection, getMySession, type GatewaySession } from './me-connection.js';
export { readRedirectResult } from './redirect-result.js';
export type {
  Connection,
  ConnectMode,
  ConnectResultMessage,
  ConnectSession,
  MySession,
  Problem,
  ProblemCode,
} from '../../generated/gateway/types.gen.js';
