/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error */
/**
 * The n8n editor as a person uses it, in a real browser: Debian's Chromium driven by playwright-core
 * (which downloads no browser). Log in, run both examples from the canvas and read the output panel,
 * use the Altinn node's pickers, test the credential (a good one passes; an unsaved wrong Client ID
 * fails with the fix visible), and fetch a test event with a new Altinn Trigger.
 *
 * Every step saves a screenshot in <e2e work dir>/screenshots (failed-… when it failed).
 * CHROMIUM_PATH overrides /usr/bin/chromium.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

import { keepSubmitting, startDemoEmulator, type DemoEmulator } from '../../scripts/n8n/demo';
import { simulateSubmission } from '../emulator/seed';
import { N8n } from './support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadExamples } = require('../../scripts/n8n/examples.cjs');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { e2eWorkDir } = require('./workDir') as { e2eWorkDir: string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { OWNER } = require('../../scripts/lib/n8n-runtime.cjs') as { OWNER: { email: string; password: string } };

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CRED = { id: 'browserDemoCred1', name: 'Maskinporten demo (browser)', type: 'maskinportenApi' };
const SHOTS = path.join(e2eWorkDir, 'screenshots');

let demo: DemoEmulator;
let n8n: N8n;
let context: BrowserContext;
let page: Page;
let examples: ReturnType<typeof loadExamples>;

/** Runs one step; saves a screenshot afterwards, named failed-… when the step threw. */
async function step(name: string, body: () => Promise<void>): Promise<void> {
	const file = (prefix: string) => path.join(SHOTS, `${prefix}${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
	try {
		await body();
		await page.screenshot({ path: file('') }).catch(() => undefined);
	} catch (error) {
		await page.screenshot({ path: file('failed-'), fullPage: true }).catch(() => undefined);
		throw error;
	}
}

const byTestId = (id: string) => page.locator(`[data-test-id="${id}"]`);
const canvasNode = (name: string) => page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);

async function openWorkflow(id: string): Promise<void> {
	await page.goto(`${n8n.server!.url}/workflow/${id}`);
	await canvasNode(examples.workflows.find((w: { id: string }) => w.id === id).nodes[0].name).waitFor({ timeout: 60_000 });
}

async function openNode(name: string): Promise<Locator> {
	await canvasNode(name).dblclick();
	const ndv = byTestId('ndv');
	await ndv.waitFor();
	return ndv;
}

async function closeNode(): Promise<void> {
	await page.keyboard.press('Escape');
	await byTestId('ndv').waitFor({ state: 'hidden' });
}

/** Executes the open workflow from the canvas button and waits until `lastNode` shows success. */
async function executeFromCanvas(lastNode: string): Promise<string> {
	const button = byTestId('execute-workflow-button');
	const label = (await button.innerText()).trim();
	await button.click();
	await canvasNode(lastNode).locator('[data-test-id="canvas-node-status-success"]').waitFor({ timeout: 60_000 });
	return label;
}

/** The demo app's submissions: how many exist, and how many the service owner has confirmed. */
function demoSubmissions(): { total: number; confirmed: number } {
	const all = [...demo.emu.world.instances.values()].filter((r) => r.instance.appId === `${demo.info.org}/${demo.info.app}`);
	const confirmedBy = (r: (typeof all)[number]) =>
		((r.instance.completeConfirmations ?? []) as Array<{ stakeholderId: string }>).some((c) => c.stakeholderId === demo.info.org);
	return { total: all.length, confirmed: all.filter(confirmedBy).length };
}

/** Polls `check` (every 250 ms, up to `tries`) until it holds; throws `what` otherwise. */
async function waitUntil(what: string, check: () => boolean, tries = 240): Promise<void> {
	for (let i = 0; i < tries; i++) {
		if (check()) return;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`gave up waiting: ${what}`);
}

beforeAll(async () => {
	if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
	mkdirSync(SHOTS, { recursive: true });
	demo = await startDemoEmulator();
	n8n = new N8n();
	await n8n.init();
	examples = loadExamples({ info: demo.info, emulatorUrl: demo.emu.url, credential: CRED });
	await n8n.importCredentials([{ ...CRED, data: demo.credentialData }]);
	await n8n.importWorkflows(examples.workflows);
	await n8n.start();
	context = await chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), 'altinn-chromium-')), {
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		viewport: { width: 1440, height: 900 },
	});
	page = context.pages()[0] ?? (await context.newPage());
	// generous: the editor bundle is large, and CI machines are shared
	page.setDefaultTimeout(90_000);
}, 600_000);

afterAll(async () => {
	await context?.close();
	await n8n?.stop();
	await demo?.emu.close();
});

describe('the n8n editor in Chromium', () => {
	it('logs in as the demo owner', async () => {
		await step('log in', async () => {
			await page.goto(`${n8n.server!.url}/signin`);
			await page.locator('input[type="password"]').first().waitFor({ timeout: 180_000 });
			await page.locator('input[name="emailOrLdapLoginId"], input[type="email"]').first().fill(OWNER.email);
			await page.locator('input[type="password"]').first().fill(OWNER.password);
			await byTestId('form-submit-button').click();
			await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
		});
		expect(new URL(page.url()).pathname).not.toMatch(/signin/);
	});

	it('"download and confirm" runs from the canvas button, which says what npm start prints, and shows the files', async () => {
		const wf = examples.workflows[0];
		let label = '';
		await step('download example executed', async () => {
			await openWorkflow(wf.id);
			label = await executeFromCanvas('Confirm Download');
		});
		// n8n 2.41 picks the Altinn Trigger for this button; npm start's instructions say so (scripts/start.mjs)
		expect(label.replace(/\s+/g, ' ')).toMatch(/^Execute workflow from On New Submission$/);
		expect(readFileSync(path.join(__dirname, '..', '..', 'scripts', 'start.mjs'), 'utf8')).toContain('the button says "from On New');
		await step('download output panel', async () => {
			const ndv = await openNode('Download All Data');
			const output = ndv.locator('[data-test-id="output-panel"]');
			await expect(output.getByText(/1 item/).first().isVisible()).resolves.toBe(true);
			await output.getByText(/^Binary$/).first().click();
			await output.getByText('kvittering.png').first().waitFor();
		});
		await closeNode();
	});

	it('"instantiate with prefill" runs from the canvas button and shows the new instance', async () => {
		await step('instantiate example executed', async () => {
			await openWorkflow(examples.workflows[1].id);
			await executeFromCanvas('Upload Attachment');
		});
		await step('instantiate output panel', async () => {
			const ndv = await openNode('Create Instance');
			const output = ndv.locator('[data-test-id="output-panel"]');
			await output.getByText(/1 item/).first().waitFor();
			expect(await output.innerText()).toContain(`${demo.info.org}/${demo.info.app}`);
		});
		await closeNode();
	});

	it("the Altinn node's App picker lists the emulator's apps and the Data Type picker its types", async () => {
		await openWorkflow(examples.workflows[1].id);
		let apps = '';
		let types = '';
		await step('app picker', async () => {
			const ndv = await openNode('Upload Attachment');
			const app = ndv.locator('[data-test-id="parameter-input-app"]');
			// the example's App is already in "From list" mode; switch only when it is not
			const mode = app.locator('[data-test-id="rlc-mode-selector"] input').first();
			if (!/From list/i.test(await mode.inputValue())) {
				await mode.click();
				await page.locator('.el-select-dropdown__item:visible').filter({ hasText: /From list/i }).first().click();
			}
			await app.locator('[data-test-id="rlc-input"]').first().click();
			await page.locator('[data-test-id="rlc-item"]').first().waitFor();
			apps = (await page.locator('[data-test-id="rlc-item"]').allInnerTexts()).join('\n');
			await page.keyboard.press('Escape');
		});
		expect(apps).toContain(demo.info.app);
		expect(apps).toContain('quiet-app');
		await step('data type picker', async () => {
			const ndv = byTestId('ndv');
			await ndv.locator('[data-test-id="parameter-input-dataType"]').click();
			const options = page.locator('.el-select-dropdown__item:visible, [role="option"]:visible');
			await options.first().waitFor();
			types = (await options.allInnerTexts()).join('\n');
			await page.keyboard.press('Escape');
		});
		expect(types).toMatch(/attachment/);
		expect(types).toMatch(/model/);
	});

	it('credential: Retry passes for the demo client, and an unsaved wrong Client ID fails with the fix visible', async () => {
		let good = '';
		let bad = '';
		await step('credential good', async () => {
			await page.goto(`${n8n.server!.url}/home/credentials/${CRED.id}`);
			const modal = byTestId('credential-edit-dialog');
			await modal.waitFor();
			const retry = modal.getByRole('button', { name: /Retry/ });
			if (await retry.isVisible()) await retry.click();
			else await byTestId('credential-save-button').click();
			await modal.getByText(/tested successfully|Connection successful/i).first().waitFor({ timeout: 30_000 });
			good = await modal.innerText();
		});
		expect(good).toMatch(/tested successfully|Connection successful/i);
		await step('credential wrong client id', async () => {
			const modal = byTestId('credential-edit-dialog');
			const clientId = modal.locator('[data-test-id="parameter-input-clientId"] input').first();
			await clientId.fill('wrong-client-id');
			await modal.getByRole('button', { name: /Retry/ }).click();
			await modal.getByText(/Couldn.t connect with these settings/).first().waitFor({ timeout: 60_000 });
			// n8n 2.41 shows the test's message behind "More details"
			await modal.getByText('More details').first().click();
			await page.getByText(/Check Client ID/).first().waitFor({ timeout: 30_000 });
			bad = await page.locator('body').innerText();
		});
		expect(bad).toContain('Check Client ID');
		expect(bad).toMatch(/MP-100|does not know client/);
	});

	it('the demo keeps producing submissions: "download and confirm" finds a new one each time it runs', async () => {
		// the demo's submission clock (ALTINN_DEMO_SUBMISSION_SECONDS in npm start), short for the test
		const stop = keepSubmitting(demo, 2);
		const wf = examples.workflows[0];
		const runs: Array<{ output: string; confirmedBefore: number; confirmedAfter: number }> = [];
		try {
			for (const run of [1, 2]) {
				const before = demoSubmissions();
				// the earlier runs confirmed everything there was; only a new submission gives this run work
				await waitUntil('a new demo submission', () => demoSubmissions().total > before.total);
				let output = '';
				await step(`demo submission run ${run}`, async () => {
					await openWorkflow(wf.id);
					await executeFromCanvas('Confirm Download');
					await waitUntil('the run to confirm a submission', () => demoSubmissions().confirmed > before.confirmed);
					const panel = (await openNode('Download All Data')).locator('[data-test-id="output-panel"]');
					await panel.getByText(/^Binary$/).first().click();
					await panel.getByText('kvittering.png').first().waitFor();
					output = await panel.innerText();
				});
				await closeNode();
				runs.push({ output, confirmedBefore: before.confirmed, confirmedAfter: demoSubmissions().confirmed });
			}
		} finally {
			stop();
		}
		expect(runs).toHaveLength(2);
		for (const run of runs) {
			expect(run.output).toMatch(/[1-9]\d* items?/);
			expect(run.output).toContain('kvittering.png');
			expect(run.confirmedAfter).toBeGreaterThan(run.confirmedBefore);
		}
	});

	it('adds an Altinn Trigger to a new workflow and fetches a test event', async () => {
		let output = '';
		let apps = '';
		await step('trigger fetch test event', async () => {
			await page.goto(`${n8n.server!.url}/workflow/new`);
			await byTestId('canvas-add-button').or(byTestId('canvas-plus-button')).first().click();
			await byTestId('node-creator').waitFor();
			await page.keyboard.type('Altinn Trigger');
			// n8n lists the polling trigger as "Altinn" (its name without "Trigger"), told apart by its description
			// (failed-trigger-fetch-test-event.png of an earlier run): click that text, as a person would.
			await byTestId('node-creator').getByText(/Starts the workflow when an Altinn app has new events/).first().click();
			const ndv = byTestId('ndv');
			// Grouped with the Altinn node, n8n shows the trigger under "Triggers (1)" as "On new Altinn event".
			await byTestId('node-creator').getByText('On new Altinn event').first().click();
			await ndv.waitFor();
			await ndv.locator('[data-test-id="parameter-input-org"] input').first().fill(demo.info.org);
			// App is the same picker as the Altinn node's: From List shows the org's apps
			const app = ndv.locator('[data-test-id="parameter-input-app"]');
			await app.locator('[data-test-id="rlc-input"]').first().click();
			const item = page.locator('[data-test-id="rlc-item"]').filter({ hasText: demo.info.app });
			await item.first().waitFor();
			// the list is read once both of the org's apps have rendered
			await page.locator('[data-test-id="rlc-item"]').filter({ hasText: 'quiet-app' }).first().waitFor();
			apps = (await page.locator('[data-test-id="rlc-item"]').allInnerTexts()).join('\n');
			await item.first().click();
			// a fresh submission, so the test event does not depend on what earlier tests left unconfirmed
			simulateSubmission(demo.emu.world, demo.info.partyId);
			await ndv.getByRole('button', { name: /Fetch Test Event/i }).click();
			// wait for the result itself ("1 item"), not for any text that mentions items
			await ndv.locator('[data-test-id="output-panel"]').getByText(/^[1-9]\d* items?$/).first().waitFor({ timeout: 60_000 });
			// the count renders before the item's fields: read the panel once the item itself is shown
			await ndv.locator('[data-test-id="output-panel"]').getByText(demo.info.app).first().waitFor({ timeout: 30_000 });
			output = await ndv.locator('[data-test-id="output-panel"]').innerText();
		});
		expect(apps).toContain('quiet-app');
		expect(output).toMatch(/[1-9]\d* items?/);
		expect(output).toContain(demo.info.app);
	});
});
