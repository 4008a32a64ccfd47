import { Container, SsrfProtectionConfig, ensureHostsBypassProxy } from './n8nInternals';

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];
let applied = false;

/**
 * Lets n8n-core's real outbound HTTP (`@n8n/backend-network` OutboundHttp → axios) reach the
 * local emulator on 127.0.0.1:
 * - proxy: OutboundHttp uses the `env` proxy (HTTP(S)_PROXY); loopback hosts are added to
 *   NO_PROXY with backend-network's own `ensureHostsBypassProxy`;
 * - SSRF: `SsrfProtectionConfig.enabled` is false unless `N8N_SSRF_PROTECTION_ENABLED=true`; when
 *   it is on, the default blocked ranges include 127.0.0.0/8, so loopback is added to
 *   `allowedIpRanges` (127.0.0.1/32, ::1/128) and `allowedHostnames` (the env equivalents are `N8N_SSRF_ALLOWED_IP_RANGES`
 *   and `N8N_SSRF_ALLOWED_HOSTNAMES`). The policy stays whatever the environment says otherwise.
 * Idempotent.
 */
export function allowLoopbackRequests(): void {
	if (applied) return;
	applied = true;
	ensureHostsBypassProxy(LOOPBACK_HOSTS);
	const ssrf = Container.get(SsrfProtectionConfig);
	for (const range of ['127.0.0.1/32', '::1/128']) {
		if (!ssrf.allowedIpRanges.includes(range)) ssrf.allowedIpRanges.push(range);
	}
	for (const host of LOOPBACK_HOSTS) {
		if (!ssrf.allowedHostnames.includes(host)) ssrf.allowedHostnames.push(host);
	}
}
