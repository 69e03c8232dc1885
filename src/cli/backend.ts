/**
 * Starting the runtime for a command: the wasm backend (with more than one
 * thread, on a shared heap) and the LSTM's pool of `threads` threads, which
 * splits the recurrences and the large fresh products by batch rows, in
 * place on that heap; XNNPACK's small products run on the calling thread
 * (`XNNPACK_THREADS` in setup.ts says why).
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
 * @param threads threads for the process
 * @returns what the backend reports
 */
export async function startBackend(threads: number): Promise<BackendInfo> {
  const info = await setupBackend({ threads });
  await setLstmThreads(info.threads);
  return info;
}
