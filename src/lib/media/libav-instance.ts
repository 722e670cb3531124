import LibAVWrapper from "@libav.js/variant-vp8-opus";

// The synchronous build's calls still return promises; we only ever await them.
export type LibAVInstance = Awaited<ReturnType<typeof LibAVWrapper.LibAV>>;

let instance: Promise<LibAVInstance> | undefined;

// One WASM heap per process: each instance costs ~70 ms and tens of MB, and codec contexts are cheap.
export function loadLibAV(): Promise<LibAVInstance> {
  instance ??= createInstance().catch((error: unknown) => {
    instance = undefined;
    throw new Error("Could not start libav.js (VP8/Opus WASM build).", { cause: error });
  });
  return instance;
}

async function createInstance(): Promise<LibAVInstance> {
  // libav.js's worker mode needs a global Web Worker, which Node 20 lacks; noworker runs the WASM on this thread.
  const libav = await LibAVWrapper.LibAV({ noworker: true });
  // libvpx logs a banner per context and an error per undecodable frame (normal before the first
  // keyframe); stderr belongs to our progress output, and real failures surface as thrown errors.
  await libav.av_log_set_level(libav.AV_LOG_FATAL);
  return libav;
}
