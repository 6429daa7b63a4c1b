/**
 * A short two-note chime through Web Audio. Browsers let a page play sound only after a person
 * has touched it, so a screen asks for one tap to enable sound, then plays on events.
 */
export class Chime {
	#context: AudioContext | null = null;

	get enabled(): boolean {
		return this.#context?.state === 'running';
	}

	async enable(): Promise<void> {
		this.#context ??= new AudioContext();
		await this.#context.resume();
	}

	play(): void {
		const context = this.#context;
		if (!context || context.state !== 'running') return;
		[660, 880].forEach((frequency, index) => {
			const oscillator = context.createOscillator();
			const gain = context.createGain();
			const start = context.currentTime + index * 0.18;
			oscillator.frequency.value = frequency;
			gain.gain.setValueAtTime(0.0001, start);
			gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
			gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.35);
			oscillator.connect(gain).connect(context.destination);
			oscillator.start(start);
			oscillator.stop(start + 0.4);
		});
	}
}
