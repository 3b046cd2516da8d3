// The WebGPU runtime every kernel wrapper uses: a pipeline cache (each WGSL entry point compiled
// once), a buffer pool, a command recorder that batches many dispatches into one submission, and
// readback that maps only what is asked for, all in one mapAsync.
//
// Kernel binding convention: @group(0) @binding(0) is a uniform struct of the kernel's scalar
// parameters (u32/i32/f32, 4 bytes each, in declaration order); storage buffers follow from
// @binding(1) in the order the wrapper passes them.

export type ParamValue = { u32: number } | { i32: number } | { f32: number };

/** Packs scalar kernel parameters into a uniform buffer's bytes (16-byte aligned size). */
export function packParams(params: ParamValue[]): ArrayBuffer {
  const bytes = Math.max(16, Math.ceil((params.length * 4) / 16) * 16);
  const buf = new ArrayBuffer(bytes);
  const dv = new DataView(buf);
  params.forEach((p, i) => {
    if ('u32' in p) dv.setUint32(i * 4, p.u32, true);
    else if ('i32' in p) dv.setInt32(i * 4, p.i32, true);
    else dv.setFloat32(i * 4, p.f32, true);
  });
  return buf;
}

export const u32 = (v: number): ParamValue => ({ u32: v >>> 0 });
export const i32 = (v: number): ParamValue => ({ i32: v | 0 });
export const f32 = (v: number): ParamValue => ({ f32: v });

/** A whole buffer, or a range of one (offset must be a multiple of minStorageBufferOffsetAlignment, 256). */
export type Binding = GPUBuffer | { buffer: GPUBuffer; offset: number; size: number };

export interface KernelSpec {
  name: string; // cache key, e.g. 'matmul_forward'
  code: string; // WGSL source
  entryPoint: string;
  constants?: Record<string, number>; // pipeline-overridable constants
}

/** The pipeline cache's key of a kernel: its name and its override constants. */
export const pipelineKey = (spec: KernelSpec): string =>
  spec.constants ? `${spec.name}:${JSON.stringify(spec.constants)}` : spec.name;

/**
 * Kernel time from the device's own clock: every compute pass writes a timestamp as it begins and ends
 * (timestamp queries, where the device has the feature). A recorder resolves its passes' pairs when it
 * submits; the next readback brings them back in the same mapAsync, and `takeKernelTimeMs` sums
 * end − begin over the passes. Chrome coarsens these timestamps (to 100 µs unless its WebGPU developer
 * features are on), so a pass shorter than that reads as 0 or 100 µs; over a step's passes it averages out.
 */
class PassTimer {
  private readonly querySet: GPUQuerySet;
  private readonly free: number[]; // pair indices not held by an unsubmitted recorder
  private resolved: { buffer: GPUBuffer; runs: { bytes: number; pairs: number }[] }[] = []; // submitted, not read
  private ns = 0; // summed pass time collected since the last take
  private missed = false; // a pass went untimed (every pair was held) since the last take

  constructor(
    device: GPUDevice,
    private readonly pool: { buffer(bytes: number, usage: number): GPUBuffer; release(b: GPUBuffer): void },
    pairs = 1024, // passes recorded and not yet submitted, at most
  ) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * pairs });
    this.free = Array.from({ length: pairs }, (_, i) => pairs - 1 - i);
  }

  /** The timestamp writes of a new pass, or undefined when every pair is held (that pass goes untimed). */
  open(held: number[]): GPUComputePassTimestampWrites | undefined {
    const p = this.free.pop();
    if (p === undefined) {
      this.missed = true;
      return undefined;
    }
    held.push(p);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * p, endOfPassWriteIndex: 2 * p + 1 };
  }

  /** Resolves a recorder's pairs at the end of its encoder (each run of consecutive pairs 256-aligned) and frees them. */
  resolve(encoder: GPUCommandEncoder, held: number[]): void {
    if (held.length === 0) return;
    const runs: { first: number; pairs: number; offset: number }[] = [];
    let bytes = 0;
    for (const p of held) {
      const last = runs[runs.length - 1];
      if (last && p === last.first + last.pairs) last.pairs++;
      else {
        if (last) bytes += Math.ceil((last.pairs * 16) / 256) * 256;
        runs.push({ first: p, pairs: 1, offset: bytes });
      }
    }
    const end = runs[runs.length - 1];
    const buffer = this.pool.buffer(end.offset + end.pairs * 16, GPUBufferUsage.QUERY_RESOLVE);
    for (const r of runs) encoder.resolveQuerySet(this.querySet, 2 * r.first, 2 * r.pairs, buffer, r.offset);
    this.resolved.push({ buffer, runs: runs.map((r) => ({ bytes: r.offset, pairs: r.pairs })) });
    this.free.push(...held);
    held.length = 0;
  }

  /** The resolved timestamps as readback items (to ride along with the next read), and how to sum them. */
  collect(): { items: { buffer: GPUBuffer; count: number }[]; sum: (data: ArrayBuffer[]) => void } {
    const taken = this.resolved;
    this.resolved = [];
    return {
      items: taken.map((t) => ({ buffer: t.buffer, count: t.buffer.size / 4 })),
      sum: (data) => {
        data.forEach((d, i) => {
          for (const r of taken[i].runs) {
            const ts = new BigUint64Array(d, r.bytes, 2 * r.pairs);
            for (let j = 0; j < r.pairs; j++)
              if (ts[2 * j + 1] > ts[2 * j]) this.ns += Number(ts[2 * j + 1] - ts[2 * j]);
          }
          this.pool.release(taken[i].buffer);
        });
      },
    };
  }

  /** Kernel time collected since the last take (ms), or null when a pass went untimed. */
  take(): number | null {
    const ms = this.missed ? null : this.ns / 1e6;
    this.ns = 0;
    this.missed = false;
    return ms;
  }

  destroy(): void {
    for (const t of this.resolved) t.buffer.destroy(); // taken from the pool and not read back
    this.resolved = [];
    this.querySet.destroy();
  }
}

export class GpuRuntime {
  private pipelines = new Map<string, GPUComputePipeline>();
  private free = new Map<string, GPUBuffer[]>(); // pooled buffers by "usage:size"
  private uniformPool: GPUBuffer[] = []; // uniform buffers whose submissions have completed
  dispatchCount = 0; // dispatches recorded since the last resetCounters()
  submitCount = 0;
  mapCount = 0; // mapAsync calls (readbacks) since the last resetCounters()

  /** @internal Times compute passes where the device has timestamp queries (PassTimer). */
  readonly timer: PassTimer | null;

  constructor(readonly device: GPUDevice) {
    this.timer = device.features.has('timestamp-query') ? new PassTimer(device, this) : null;
  }

  /**
   * Milliseconds the device spent in compute passes whose timestamps came back since the last call
   * (they ride along with readbacks, so after a readback this covers everything submitted before it);
   * null when the device has no timestamp queries or a pass went untimed.
   */
  takeKernelTimeMs(): number | null {
    return this.timer ? this.timer.take() : null;
  }

  /** The compiled pipeline for a kernel; compiled on first use only. */
  pipeline(spec: KernelSpec): GPUComputePipeline {
    const key = pipelineKey(spec);
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ label: spec.name, code: spec.code });
      p = this.device.createComputePipeline({
        label: spec.name,
        layout: 'auto',
        compute: { module, entryPoint: spec.entryPoint, constants: spec.constants },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /**
   * Compiles the kernels not compiled yet, all at once (createComputePipelineAsync lets the browser
   * compile them in parallel, off the thread), so the first step does not stall compiling them one
   * by one; `progress(done, total)` after each.
   */
  async warmUp(specs: KernelSpec[], progress?: (done: number, total: number) => void): Promise<void> {
    const todo = new Map<string, KernelSpec>();
    for (const spec of specs) if (!this.pipelines.has(pipelineKey(spec))) todo.set(pipelineKey(spec), spec);
    let done = 0;
    await Promise.all(
      [...todo].map(async ([key, spec]) => {
        const module = this.device.createShaderModule({ label: spec.name, code: spec.code });
        const p = await this.device.createComputePipelineAsync({
          label: spec.name,
          layout: 'auto',
          compute: { module, entryPoint: spec.entryPoint, constants: spec.constants },
        });
        this.pipelines.set(key, p);
        progress?.(++done, todo.size);
      }),
    );
  }

  /** Compiles a kernel and reports WGSL errors with their line (call in tests / at start-up). */
  async checkCompiles(spec: KernelSpec): Promise<void> {
    const module = this.device.createShaderModule({ label: spec.name, code: spec.code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length) {
      throw new Error(`${spec.name}: ${errors.map((m) => `line ${m.lineNum}: ${m.message}`).join('; ')}`);
    }
  }

  get pipelineCount(): number {
    return this.pipelines.size;
  }

  /** A storage buffer of at least `bytes` (its size a multiple of 16, ≥ 16), from the pool when one is free. */
  buffer(bytes: number, extraUsage: number = 0): GPUBuffer {
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage;
    const key = `${usage}:${size}`;
    const pooled = this.free.get(key)?.pop();
    return pooled ?? this.device.createBuffer({ size, usage });
  }

  /** Returns a buffer to the pool for reuse. */
  release(buf: GPUBuffer): void {
    const key = `${buf.usage}:${buf.size}`;
    const list = this.free.get(key) ?? [];
    list.push(buf);
    this.free.set(key, list);
  }

  /** A storage buffer holding `data`. */
  upload(data: Float32Array | Int32Array | Uint32Array): GPUBuffer {
    const buf = this.buffer(data.byteLength);
    this.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    return buf;
  }

  write(buf: GPUBuffer, data: Float32Array | Int32Array | Uint32Array, byteOffset = 0): void {
    this.device.queue.writeBuffer(buf, byteOffset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** A recorder: many dispatches, one submission. */
  recorder(): Recorder {
    return new Recorder(this);
  }

  /** @internal A uniform buffer holding one dispatch's parameters; the Recorder hands it back with `submitted`. */
  uniform(bytes: ArrayBuffer): GPUBuffer {
    let buf = this.uniformPool.find((b) => b.size >= bytes.byteLength);
    if (buf) this.uniformPool.splice(this.uniformPool.indexOf(buf), 1);
    else
      buf = this.device.createBuffer({
        size: Math.max(64, bytes.byteLength),
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
    this.device.queue.writeBuffer(buf, 0, bytes);
    return buf;
  }

  /** @internal Called by Recorder.submit: its uniforms are reused once the submission has completed. */
  submitted(uniforms: GPUBuffer[]): void {
    this.submitCount++;
    void this.device.queue.onSubmittedWorkDone().then(() => this.uniformPool.push(...uniforms));
  }

  /**
   * Reads back the given ranges with one staging buffer and one mapAsync.
   * Each item: the buffer, the count of 4-byte words (f32/i32) to read and the word to start at (default 0).
   * Each range starts 256-byte aligned in the staging buffer.
   */
  async read(asked: { buffer: GPUBuffer; count: number; offset?: number }[]): Promise<ArrayBuffer[]> {
    const timestamps = this.timer?.collect();
    const items: { buffer: GPUBuffer; count: number; offset?: number }[] = timestamps
      ? [...asked, ...timestamps.items]
      : asked;
    const sizes = items.map((it) => it.count * 4);
    const offsets: number[] = [];
    let total = 0;
    for (const s of sizes) {
      offsets.push(total);
      total += Math.ceil(s / 256) * 256;
    }
    const staging = this.device.createBuffer({
      size: Math.max(16, total),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const enc = this.device.createCommandEncoder();
    items.forEach((it, i) => enc.copyBufferToBuffer(it.buffer, (it.offset ?? 0) * 4, staging, offsets[i], sizes[i]));
    this.device.queue.submit([enc.finish()]);
    this.mapCount++;
    await staging.mapAsync(GPUMapMode.READ);
    const mapped = staging.getMappedRange();
    const out = items.map((_, i) => mapped.slice(offsets[i], offsets[i] + sizes[i]));
    staging.unmap();
    staging.destroy();
    timestamps?.sum(out.slice(asked.length));
    return out.slice(0, asked.length);
  }

  async readF32(buffer: GPUBuffer, count: number, offset = 0): Promise<Float32Array> {
    const [b] = await this.read([{ buffer, count, offset }]);
    return new Float32Array(b);
  }

  async readI32(buffer: GPUBuffer, count: number, offset = 0): Promise<Int32Array> {
    const [b] = await this.read([{ buffer, count, offset }]);
    return new Int32Array(b);
  }

  resetCounters(): void {
    this.dispatchCount = 0;
    this.submitCount = 0;
    this.mapCount = 0;
  }

  destroy(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    for (const b of this.uniformPool) b.destroy();
    this.free.clear();
    this.uniformPool = [];
    this.pipelines.clear();
    this.timer?.destroy();
  }
}

/** Collects dispatches and copies into one command encoder; `submit()` sends them as one submission. */
export class Recorder {
  private encoder: GPUCommandEncoder;
  private pass: GPUComputePassEncoder | null = null;
  private uniforms: GPUBuffer[] = []; // the parameters of this recorder's dispatches
  private timed: number[] = []; // the PassTimer pairs of this recorder's passes

  constructor(private rt: GpuRuntime) {
    this.encoder = rt.device.createCommandEncoder();
  }

  /** One kernel dispatch: params go to binding 0, storage buffers to bindings 1.. in order. */
  dispatch(spec: KernelSpec, params: ParamValue[], buffers: Binding[], workgroups: [number, number?, number?]): this {
    const pipeline = this.rt.pipeline(spec);
    const uniform = this.rt.uniform(packParams(params));
    this.uniforms.push(uniform);
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: uniform } }];
    buffers.forEach((b, i) => entries.push({ binding: i + 1, resource: b instanceof GPUBuffer ? { buffer: b } : b }));
    const bindGroup = this.rt.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    if (!this.pass) this.pass = this.encoder.beginComputePass({ timestampWrites: this.rt.timer?.open(this.timed) });
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    const [x, y = 1, z = 1] = workgroups;
    if (x > 0 && y > 0 && z > 0) this.pass.dispatchWorkgroups(x, y, z);
    this.rt.dispatchCount++;
    return this;
  }

  /** Buffer-to-buffer copy (bytes), ordered with the dispatches around it. */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): this {
    this.endPass();
    this.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
    return this;
  }

  /** Zero-fills a buffer range (bytes). */
  clear(buf: GPUBuffer, offset = 0, bytes?: number): this {
    this.endPass();
    this.encoder.clearBuffer(buf, offset, bytes);
    return this;
  }

  submit(): void {
    this.endPass();
    this.rt.timer?.resolve(this.encoder, this.timed);
    this.rt.device.queue.submit([this.encoder.finish()]);
    this.rt.submitted(this.uniforms);
    this.uniforms = [];
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }
}

/** Workgroups needed to cover n items with groups of size `wg`. */
export const groups = (n: number, wg: number): number => Math.ceil(n / wg);
