// Placeholder until this emulated service lands.
export function registerAuthentication(): void {}
