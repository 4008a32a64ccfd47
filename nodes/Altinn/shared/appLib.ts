/**
 * What an app's API offers depends on the app-lib-dotnet version it was built with: every app
 * runs its own app-lib, so apps on older versions stay in production for years. The app names
 * its version in `altinnNugetVersion` of its application metadata (from app-lib 8.0; 7.x
 * does not send it). Pure.
 */
import type { ApplicationJson } from './applications';

/** `8.3.8.0` as [8, 3, 8]; undefined when absent or not a version. */
export function appLibVersion(metadata: ApplicationJson): [number, number, number] | undefined {
	const match = /^(\d+)\.(\d+)\.(\d+)/.exec(String(metadata.altinnNugetVersion ?? ''));
	return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/**
 * Whether the app serves `POST …/data/{dataType}`. It first appeared in app-lib 8.5.0
 * (app-lib-dotnet PR #853, 28 Oct 2024); 8.4 and older, and 7.x, answer it with 404. The old
 * form `POST …/data?dataType=` is served by every version (obsolete but present in 8.12.7).
 */
export function servesDataTypeRoute(metadata: ApplicationJson): boolean {
	const version = appLibVersion(metadata);
	if (!version) return false;
	const [major, minor] = version;
	return major > 8 || (major === 8 && minor >= 5);
}
