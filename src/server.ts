// The process entry: the configuration (with demo mode's mocks when it is asked for), the gateway listening, and
// a graceful close on a signal. Everything else is buildApp's.
import closeWithGrace from 'close-with-grace';
import { isDemo, loadConfig, productionVariables } from './config.js';
import { loadEnvFile } from './env-file.js';
import { terminalLogStream } from './logger.js';
import { startGateway } from './start-gateway.js';

// Demo mode's module is loaded only in demo mode. Its mocks (Prism) are dev dependencies: a production install
// (npm ci --omit=dev) has none, and must say so instead of crashing on a missing package.
async function loadDemoMode(): Promise<typeof import('./demo/index.js')> {
  try {
    return await import('./demo/index.js');
  } catch (error) {
    const missing = /Cannot find package '([^']+)'/.exec(error instanceof Error ? error.message : '');
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || !missing) throw error;
    throw new Error(
      `Demo mode needs the dev dependencies (${missing[1]} is not installed: a production install, npm ci --omit=dev). ` +
        `Install them with npm ci, or set ${productionVariables.join(', ')} to run with a real configuration.`,
      { cause: error },
    );
  }
}

async function main(): Promise<void> {
  // ./.env (or ENV_FILE) fills in what the environment does not set, before anything reads the configuration.
  loadEnvFile();
  const demo = isDemo(process.env) ? await (await loadDemoMode()).startDemo(process.env) : undefined;
  const config = demo?.config ?? loadConfig();
  const app = await startGateway(config, { demo: demo?.parts, logStream: await terminalLogStream() }).catch(async (error: unknown) => {
    await demo?.close();
    throw error;
  });
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an error');
    else app.log.info({ signal }, 'closing: letting in-flight requests finish');
    // The plugins stop the background jobs and close the store with the app.
    await app.close();
    await demo?.close();
  });
  console.log(
    demo ? demo.banner() : `Zoom Connect Gateway on ${config.publicUrl} (Recall ${config.recall.baseUrl}); docs at ${config.publicUrl}/docs`,
  );
}

main().catch((error: unknown) => {
  // A bad configuration, or a start that cannot work, is the operator's to fix: one clear message, no stack trace.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
