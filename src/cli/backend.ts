/**
 * Starting the runtime for a command: the wasm backend with `threads`
 * threads (XNNPACK's pool, for the matrix products) and the fused LSTM's
 * recurrence split over as many threads (its own worker pool, by batch
 * rows). Measured on the seed model with 2 threads: the LSTM pool takes a
 * training batch from about 200 ms to about 170 ms.
 *
 * The pool's workers keep a process alive; the commands end with
 * `Deno.exit` (see `main.ts`), which stops them.
 *
 * @module
 */
import { type BackendInfo, setupBackend } from "../backend/setup.ts";
import { setLstmThreads } from "../backend/lstm_threads.ts";

/**
 * Starts the backend and the LSTM's thread pool.
 *
 * @param threads threads for both
 * @returns what the backend reports
 */
export async function startBackend(threads: number): Promise<BackendInfo> {
  const info = await setupBackend({ threads });
  await setLstmThreads(info.threads);
  return info;
}
