// WebGPU device acquisition: the adapter's name and limits for the caller, a clear error when
// WebGPU is missing, and `device.lost` surfaced as an event with its reason.

export class WebGpuUnavailableError extends Error {
  override name = 'WebGpuUnavailableError';
}

export interface AdapterSummary {
  name: string; // vendor + architecture + description, as far as the browser tells
  isSoftware: boolean; // SwiftShader or another CPU adapter
  limits: {
    maxStorageBufferBindingSize: number;
    maxBufferSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxStorageBuffersPerShaderStage: number;
  };
}

export interface GpuContext {
  device: GPUDevice;
  adapter: AdapterSummary;
  /** Subscribe to device loss; the callback gets the browser's reason and message. */
  onLost(cb: (info: { reason: string; message: string }) => void): void;
}

export function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  const i = adapter.info;
  const name = [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'unknown adapter';
  const l = adapter.limits;
  return {
    name,
    isSoftware:
      /swiftshader|llvmpipe|software/i.test(name) || Boolean((i as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    limits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  };
}

/** Requests an adapter and a device with the adapter's own limits; throws WebGpuUnavailableError saying why not. */
export async function acquireDevice(gpu: GPU | undefined = globalThis.navigator?.gpu): Promise<GpuContext> {
  if (!gpu) throw new WebGpuUnavailableError('this browser has no WebGPU (navigator.gpu is missing); use Chrome 113+');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter)
    throw new WebGpuUnavailableError('WebGPU is present but offered no adapter (GPU blocklisted or disabled)');
  const summary = summarizeAdapter(adapter);
  const l = adapter.limits;
  // Timestamp queries time the kernels (GpuRuntime.takeKernelTimeMs); a device without them still runs everything.
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  const device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  });
  const listeners: ((info: { reason: string; message: string }) => void)[] = [];
  void device.lost.then((info) => {
    for (const cb of listeners) cb({ reason: info.reason, message: info.message });
  });
  device.onuncapturederror = (e) => console.error(`WebGPU error: ${e.error.message}`);
  return { device, adapter: summary, onLost: (cb) => listeners.push(cb) };
}
