/**
 * Runs `count` items with at most `limit()` of them in flight; `limit` is read again each time
 * an item finishes, so pacing can shrink or grow it while the pool runs. After a failure no new
 * item starts; the pool waits for the items in flight and rethrows the failure of the lowest
 * item index, so the error reported does not depend on which response came back first.
 */
export async function runItemPool(count: number, limit: () => number, run: (itemIndex: number) => Promise<void>): Promise<void> {
	let next = 0;
	let active = 0;
	let failure: { itemIndex: number; error: unknown } | undefined;
	await new Promise<void>((resolve) => {
		const pump = () => {
			while (!failure && next < count && active < Math.max(1, limit())) {
				const itemIndex = next++;
				active++;
				run(itemIndex).then(
					() => finish(),
					(error: unknown) => {
						if (!failure || itemIndex < failure.itemIndex) failure = { itemIndex, error };
						finish();
					},
				);
			}
			if (active === 0 && (failure || next >= count)) resolve();
		};
		const finish = () => {
			active--;
			pump();
		};
		pump();
	});
	if (failure) throw failure.error;
}
