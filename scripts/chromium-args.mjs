// The flags every browser test launches Chromium with: WebGPU on, software adapter when no GPU,
// and no background networking (the machine's network is closed).
export const chromiumArgs = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  ...(process.env.WEBGPU_ADAPTER === 'hardware' ? [] : ['--use-webgpu-adapter=swiftshader']),
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
