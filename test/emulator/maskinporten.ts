// Placeholder until the Maskinporten emulator lands (owned by the emulator-maskinporten helper).
export type MaskinportenRegistry = Record<string, never>;
export function registerMaskinporten(): MaskinportenRegistry {
	return {};
}
