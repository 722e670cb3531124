// The beep onset detector of the viewer page, plain JS so it runs both in the page (on the
// AudioData a MediaStreamTrackProcessor hands out) and in an AudioWorklet (Web Audio's copy of the
// track, for browsers without MediaStreamTrackProcessor). The thresholds are those of the node
// probe's AudioOnsetDetector (src/lib/media/audio-onset-detector.ts).
export const onsetDetectorSource = String.raw`
const triggerLevel = 0.05;
const silenceLevel = 0.02;
const onsetFractionOfPeak = 0.3;
class BeepOnsetDetector {
  // emit({ onsetFrame, markerCode, peak, toneContrast }) for each beep; frames count samples pushed.
  constructor(o, sampleRate, emit) {
    this.sampleRate = sampleRate;
    this.emit = emit;
    this.frequencies = o.frequenciesHz;
    this.burst = Math.round((o.beepMs / 1000) * sampleRate);
    this.armingSilence = Math.round(0.05 * sampleRate);
    // Opus smears an onset up to ~4 ms backwards: that much noise may precede the trigger.
    this.preEcho = Math.round(0.004 * sampleRate);
    this.edge = Math.round(0.002 * sampleRate);
    this.history = new Float32Array(this.preEcho * 2);
    this.seen = 0;
    this.quietRun = 0;
    this.armedUntil = -1;
    this.pending = null;
  }
  push(channel, startFrame) {
    for (let i = 0; i < channel.length; i++) {
      const sample = channel[i];
      const pos = startFrame + i;
      const p = this.pending;
      if (p) {
        p.samples[p.filled++] = sample;
        if (p.filled === p.samples.length) {
          this.classify(p);
          this.pending = null;
        }
      } else if (Math.abs(sample) >= triggerLevel && pos <= this.armedUntil) {
        const back = this.history.length;
        const samples = new Float32Array(back + this.burst + this.preEcho);
        for (let k = 0; k < back; k++) samples[k] = this.history[(this.seen + k) % back];
        samples[back] = sample;
        this.pending = { startPos: pos - back, trigger: back, samples, filled: back + 1 };
      }
      if (Math.abs(sample) < silenceLevel) {
        if (++this.quietRun >= this.armingSilence) this.armedUntil = pos + this.preEcho;
      } else {
        this.quietRun = 0;
      }
      this.history[this.seen % this.history.length] = sample;
      this.seen++;
    }
  }
  classify(p) {
    const s = p.samples;
    let peak = 0;
    for (let i = p.trigger - this.preEcho; i < s.length; i++) peak = Math.max(peak, Math.abs(s[i]));
    let onset = p.trigger - this.preEcho;
    while (Math.abs(s[onset]) < onsetFractionOfPeak * peak) onset++;
    const tone = s.subarray(onset + this.edge, Math.min(s.length, onset + this.burst) - this.edge);
    const powers = this.frequencies.map((f) => {
      const c = 2 * Math.cos((2 * Math.PI * f) / this.sampleRate);
      let a = 0, b = 0;
      for (let i = 0; i < tone.length; i++) { const x = tone[i] + c * a - b; b = a; a = x; }
      return a * a + b * b - c * a * b;
    });
    const best = powers.indexOf(Math.max(...powers));
    const runnerUp = Math.max(0, ...powers.filter((_, k) => k !== best));
    this.emit({ onsetFrame: p.startPos + onset, markerCode: best, peak, toneContrast: runnerUp > 0 ? powers[best] / runnerUp : null });
  }
}
`;

// The AudioWorklet wrapper: positions are render frames (currentFrame), the context's clock.
export const onsetWorkletSource = onsetDetectorSource + String.raw`
class BeepOnsetProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.detector = new BeepOnsetDetector(options.processorOptions, sampleRate, (onset) => this.port.postMessage(onset));
  }
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) this.detector.push(channel, currentFrame);
    return true;
  }
}
registerProcessor("beep-onset", BeepOnsetProcessor);
`;
