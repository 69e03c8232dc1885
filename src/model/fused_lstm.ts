/**
 * `FusedLSTM`: a drop-in LSTM layer for tfjs-layers that runs the whole
 * recurrence as one op (see `lstm_op.ts`) instead of tfjs-layers' per-step
 * graph of small ops.
 *
 * Weights are laid out exactly as in tfjs-layers' `LSTM`: `kernel` [E, 4H],
 * `recurrent_kernel` [H, 4H], `bias` [4H], gate order i, f, c, o, with the
 * same weight names (`<layer>/kernel`, ...), so weights move between the two
 * layers unchanged.
 *
 * Porting note: the defaults are Keras's, not tfjs-layers': recurrent
 * activation `sigmoid` (the only one supported), `unitForgetBias` true,
 * kernel initializer `glorotUniform`. `getConfig()` writes them all out, so
 * a stock `LSTM` built from it behaves the same.
 *
 * Porting note: a model saved with this layer records the class name
 * `FusedLSTM`. {@link asStockLstm} rewrites a saved topology to name the
 * standard `LSTM` instead (loadable without this module), and
 * {@link asFusedLstm} goes the other way; configs and weights need no change.
 *
 * Speed: the kernel skips masked (padded) rows step by step, so padding
 * costs almost nothing; `setLstmThreads(n)` (src/backend/lstm_threads.ts)
 * splits the batch rows over worker threads (off by default). Letters: B
 * batch, T timesteps, E input features, H units.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import * as tfl from "../deps/tfjs_layers.ts";
import { lstmRecurrence, lstmRecurrenceOverTable } from "./lstm_op.ts";
import { tableIsCheaper, tokenSource } from "./token_table.ts";

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type InitializerArg = tfl.LSTMLayerArgs["kernelInitializer"];
type Initializer = ReturnType<typeof tfl.initializers.zeros>;
type LayerVariable = tfl.LayerVariable;
type CellView = tfl.layers.RNNCell & {
  kernelInitializer: Initializer;
  recurrentInitializer: Initializer;
  biasInitializer: Initializer;
};

/** Options of {@link FusedLSTM}, named as in Keras and tfjs-layers. */
export interface FusedLSTMArgs extends LayerArgs {
  /** Units H: size of h and c. */
  units: number;
  /** Return h for every step `[B, T, H]` rather than the last `[B, H]`. @default false */
  returnSequences?: boolean;
  /** Only `"tanh"` is supported. @default "tanh" */
  activation?: tfl.LSTMLayerArgs["activation"];
  /** Only `"sigmoid"` is supported. @default "sigmoid" */
  recurrentActivation?: tfl.LSTMLayerArgs["recurrentActivation"];
  /** Add a bias to the gates. @default true */
  useBias?: boolean;
  /** Initialise the forget-gate bias to 1 (bias initializer for the rest). @default true */
  unitForgetBias?: boolean;
  /** Initializer of `kernel`. @default "glorotUniform" */
  kernelInitializer?: InitializerArg;
  /** Initializer of `recurrentKernel`. @default "orthogonal" */
  recurrentInitializer?: InitializerArg;
  /** Initializer of `bias`. @default "zeros" */
  biasInitializer?: InitializerArg;
}

/**
 * Config keys a stock `LSTM` config may carry that this layer accepts only
 * at their neutral value.
 */
const NEUTRAL: Record<string, unknown> = {
  returnState: false,
  goBackwards: false,
  stateful: false,
  unroll: false,
  dropout: 0,
  recurrentDropout: 0,
  kernelRegularizer: null,
  recurrentRegularizer: null,
  biasRegularizer: null,
  activityRegularizer: null,
  kernelConstraint: null,
  recurrentConstraint: null,
  biasConstraint: null,
};

/**
 * An LSTM layer whose recurrence is one fused WebAssembly op with a
 * hand-derived backward pass. Needs the `wasm` backend.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { FusedLSTM } from "./fused_lstm.ts";
 * await setupBackend({ log: false });
 * const layer = new FusedLSTM({ units: 8 });
 * const y = layer.apply(tf.ones([2, 5, 3])) as tf.Tensor;
 * assert.ok(y.shape.join() === "2,8");
 * ```
 */
export class FusedLSTM extends tfl.layers.Layer {
  /** Serialized class name. */
  static className = "FusedLSTM";
  readonly units: number;
  readonly returnSequences: boolean;
  readonly useBias: boolean;
  readonly unitForgetBias: boolean;
  /** A stock LSTM cell with the same options: resolves initializers, writes the config. */
  readonly #cell: CellView;
  kernel: LayerVariable | null = null;
  recurrentKernel: LayerVariable | null = null;
  bias: LayerVariable | null = null;

  /**
   * @param args see {@link FusedLSTMArgs}; also accepts a stock `LSTM`
   *   config whose other options are at their neutral values
   */
  constructor(args: FusedLSTMArgs) {
    super(args);
    const activation = args.activation ?? "tanh";
    const recurrentActivation = args.recurrentActivation ?? "sigmoid";
    if (activation !== "tanh") {
      throw new Error(
        `FusedLSTM: expected activation "tanh" but found "${activation}"`,
      );
    }
    if (recurrentActivation !== "sigmoid") {
      throw new Error(
        `FusedLSTM: expected recurrentActivation "sigmoid" but found "${recurrentActivation}"`,
      );
    }
    for (const [key, neutral] of Object.entries(NEUTRAL)) {
      const value = (args as unknown as Record<string, unknown>)[key];
      if (value !== undefined && value !== neutral) {
        throw new Error(
          `FusedLSTM: expected ${key} to be ${neutral} (unsupported) but found ${
            JSON.stringify(value)
          }`,
        );
      }
    }
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? false;
    this.useBias = args.useBias ?? true;
    this.unitForgetBias = args.unitForgetBias ?? true;
    this.supportsMasking = true;
    this.#cell = tfl.layers.lstmCell({
      name: this.name,
      units: this.units,
      activation: "tanh",
      recurrentActivation: "sigmoid",
      useBias: this.useBias,
      unitForgetBias: this.unitForgetBias,
      kernelInitializer: args.kernelInitializer ?? "glorotUniform",
      recurrentInitializer: args.recurrentInitializer ?? "orthogonal",
      biasInitializer: args.biasInitializer ?? "zeros",
    }) as CellView;
  }

  /** Creates `kernel` [E, 4H], `recurrent_kernel` [H, 4H] and `bias` [4H]. */
  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape =
      (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const inputDim = shape[shape.length - 1];
    if (typeof inputDim !== "number") {
      throw new Error(
        `FusedLSTM: expected a known last input dimension but found ${inputDim}`,
      );
    }
    const H = this.units;
    const cell = this.#cell;
    this.kernel = this.addWeight(
      "kernel",
      [inputDim, 4 * H],
      "float32",
      cell.kernelInitializer,
    );
    this.recurrentKernel = this.addWeight(
      "recurrent_kernel",
      [H, 4 * H],
      "float32",
      cell.recurrentInitializer,
    );
    if (this.useBias) {
      const base = cell.biasInitializer;
      const init = this.unitForgetBias
        ? ({
          // as tfjs-layers' LSTMCell: [init(H), ones(H), init(2H)]
          apply: () =>
            tf.tidy(() =>
              tf.concat([base.apply([H]), tf.ones([H]), base.apply([2 * H])], 0)
            ),
        } as unknown as Initializer)
        : base;
      this.bias = this.addWeight("bias", [4 * H], "float32", init);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape =
      (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return this.returnSequences
      ? [shape[0] ?? null, shape[1] ?? null, this.units]
      : [shape[0] ?? null, this.units];
  }

  override computeMask(
    _inputs: tf.Tensor | tf.Tensor[],
    mask?: tf.Tensor | tf.Tensor[],
  ): tf.Tensor | tf.Tensor[] {
    const m = Array.isArray(mask) ? mask[0] : mask;
    // null (no mask) is what tfjs-layers' RNN returns too; its type omits it
    return (this.returnSequences && m !== undefined ? m : null) as tf.Tensor;
  }

  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: { mask?: tf.Tensor | tf.Tensor[] | null; [key: string]: unknown },
  ): tf.Tensor {
    if (kwargs["initialState"] != null) {
      throw new Error(
        "FusedLSTM: initialState is not supported (the state starts at zero)",
      );
    }
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D; // [B, T, E]
      const [B, T] = x.shape;
      const H = this.units;
      const maskIn = Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask;
      const mask = maskIn == null
        ? tf.ones([B, T])
        : tf.cast(tf.cast(tf.reshape(maskIn, [B, T]), "bool"), "float32"); // [B, T]
      const u = this.recurrentKernel!.read() as tf.Tensor2D;
      const options = { returnSequences: this.returnSequences };
      const tokens = this.#table(x);
      if (tokens !== undefined) {
        return lstmRecurrenceOverTable(
          tokens.table,
          tokens.ids,
          u,
          mask as tf.Tensor2D,
          options,
        ); // [B, T, H] or [B, H]
      }
      let xp = tf.matMul(
        tf.reshape(x, [B * T, x.shape[2]]),
        this.kernel!.read(),
      );
      if (this.bias !== null) xp = tf.add(xp, this.bias.read());
      return lstmRecurrence(
        tf.reshape(xp, [B, T, 4 * H]) as tf.Tensor3D,
        u,
        mask as tf.Tensor2D,
        options,
      ); // [B, T, H] or [B, H]
    });
  }

  /**
   * The projected vocabulary `E W + b` (`[V, 4H]`) and the ids `[B, T]`
   * when `x` is a traced Embedding's output and projecting the vocabulary
   * is cheaper than projecting every token (see token_table.ts); else
   * undefined.
   */
  #table(
    x: tf.Tensor3D,
  ): { table: tf.Tensor2D; ids: tf.Tensor2D } | undefined {
    const [B, T] = x.shape;
    const source = tokenSource(x);
    if (
      source === undefined ||
      !tableIsCheaper(source.embeddings.shape[0]!, B, T)
    ) {
      return undefined;
    }
    const weights = [
      source.embeddings.read(),
      this.kernel!.read(),
      ...(this.bias !== null ? [this.bias.read()] : []),
    ];
    const ids = tf.cast(source.ids(), "int32") as tf.Tensor2D;
    // outside a gradient tape (inference) the table is kept until a weight
    // changes: assigning a variable gives it a new data id
    const recording = gradientsRecorded();
    const cached = this.#cachedTable;
    if (
      !recording && cached !== undefined &&
      cached.weights.length === weights.length &&
      cached.weights.every((id, k) => id === weights[k]!.dataId)
    ) {
      return { table: cached.table, ids };
    }
    let table = tf.matMul(weights[0]!, weights[1]!) as tf.Tensor2D; // [V, 4H]
    if (weights[2] !== undefined) table = tf.add(table, weights[2]);
    if (!recording) {
      this.#dropCachedTable();
      this.#cachedTable = {
        weights: weights.map((w) => w.dataId),
        table: tf.keep(table),
      };
    }
    return { table, ids };
  }

  /** The projected vocabulary of the last inference call, and its weights. */
  #cachedTable: { weights: object[]; table: tf.Tensor2D } | undefined;

  #dropCachedTable(): void {
    this.#cachedTable?.table.dispose();
    this.#cachedTable = undefined;
  }

  override dispose(): ReturnType<tfl.layers.Layer["dispose"]> {
    this.#dropCachedTable();
    return super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...this.#cell.getConfig(),
      ...super.getConfig(),
      returnSequences: this.returnSequences,
      returnState: false,
      goBackwards: false,
      stateful: false,
      unroll: false,
    };
  }
}
tf.serialization.registerClass(FusedLSTM);

/**
 * Whether tfjs is recording operations for gradients (inside `tf.grads`,
 * `variableGrads` or an optimizer's `minimize`). Read from the engine's
 * state; when that is not there, assumes yes (so nothing is cached).
 */
function gradientsRecorded(): boolean {
  const state = (tf.engine() as unknown as {
    state?: { gradientDepth?: unknown };
  }).state;
  return typeof state?.gradientDepth !== "number" || state.gradientDepth > 0;
}

type Json = unknown;

function renameClass(topology: Json, from: string, to: string): Json {
  if (Array.isArray(topology)) {
    return topology.map((v) => renameClass(v, from, to));
  }
  if (topology === null || typeof topology !== "object") return topology;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(topology)) {
    out[k] = (k === "class_name" || k === "className") && v === from
      ? to
      : renameClass(v, from, to);
  }
  return out;
}

/**
 * Returns a copy of a saved model topology (`model.toJSON(null, false)`, or
 * `modelTopology` of `tf.io.ModelArtifacts`) in which every `FusedLSTM`
 * layer is declared a standard `LSTM`. Weights load unchanged.
 *
 * @param topology a model topology
 * @returns the rewritten copy
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { asStockLstm } from "./fused_lstm.ts";
 * const t = asStockLstm({ config: { layers: [{ class_name: "FusedLSTM", config: {} }] } });
 * assert.ok(JSON.stringify(t).includes('"class_name":"LSTM"'));
 * ```
 */
export function asStockLstm<T>(topology: T): T {
  return renameClass(topology, FusedLSTM.className, "LSTM") as T;
}

/**
 * The inverse of {@link asStockLstm}: declares every standard `LSTM` a
 * `FusedLSTM`. Loading then fails with a clear error if a layer uses an
 * option `FusedLSTM` lacks (say `recurrentActivation: "hardSigmoid"`).
 *
 * @param topology a model topology
 * @returns the rewritten copy
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { asFusedLstm } from "./fused_lstm.ts";
 * const t = asFusedLstm({ config: { layers: [{ class_name: "LSTM", config: {} }] } });
 * assert.ok(JSON.stringify(t).includes('"class_name":"FusedLSTM"'));
 * ```
 */
export function asFusedLstm<T>(topology: T): T {
  return renameClass(topology, "LSTM", FusedLSTM.className) as T;
}
