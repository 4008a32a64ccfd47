/**
 * What every emulated service module receives: the shared world, the clock, counters,
 * knobs, faults, the signing keys and the URLs the emulator is reachable at.
 */
import type { Counters, FaultInjector, Knobs } from './faults';
import type { AltinnWorld } from './state';
import type { SystemUserRegistry } from './systemUsers';
import type { SigningKey } from './tokens';

export interface EmulatorContext {
	world: AltinnWorld;
	counters: Counters;
	knobs: Knobs;
	faults: FaultInjector;
	/** System register, requests and system users (systemUsers.ts); the apps' PDP reads the delegated rights. */
	systemUsers?: SystemUserRegistry;
	/** Emulator time in epoch seconds, with `knobs.clockOffsetSec` applied. */
	nowSec(): number;
	keys: {
		/** Signs Maskinporten access tokens. */
		maskinporten: SigningKey;
		/** Signs exchanged Altinn tokens. */
		altinn: SigningKey;
	};
	urls: {
		/** `http://127.0.0.1:PORT` */
		base: string;
		/** Maskinporten issuer, with its trailing slash: `${base}/maskinporten/`. Grants must use it as `aud`. */
		maskinportenIssuer: string;
		/** Issuer of exchanged Altinn tokens. */
		altinnIssuer: string;
		/** Altinn platform base (authentication, storage, events live under it): `${base}`. */
		platform: string;
		/** Apps base: app URLs are `${apps}/{org}/{app}/...`. */
		apps: string;
	};
}
