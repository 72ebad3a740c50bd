import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Application } from '../../src/app/container';
import { Api, type TaskView } from '../support/api';
import { startTestApp, tokenOf } from '../support/app';
import { COMPLETE_ANSWER, notificationFor } from '../support/refinement-scenario';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');
const SCREENSHOT = path.join(ARTIFACTS, 'task-page.png');
const WAIT = { timeout: 20_000 };
const FEEDBACK = 'Add a CSV export of the backlog chart for the weekly report.';

/**
 * The web inbox in Debian's Chromium, as two people use it: Alice answers the agent's questions
 * from her notification's link; Bob rejects PRD version 1 with feedback from its reject link, then approves
 * version 2, while his open task page follows the workflow live, without a reload. The
 * screenshot shows version 2 with every source opened and its changes from version 1.
 */
describe('the web inbox in a real browser', () => {
  let app: Application;
  let api: Api;
  let baseUrl: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } });
    api = new Api(app);
    baseUrl = await app.listen();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu', '--no-first-run'],
    });
  }, 40_000);
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await app?.stop();
  });

  /** A person's own browser profile, signed in through the sign-in form with their token. */
  const signedIn = async (userId: string): Promise<Page> => {
    const context = await browser.newContext({ baseURL: baseUrl });
    context.setDefaultTimeout(WAIT.timeout);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto('/inbox');
    await page.waitForURL(/\/inbox\/login\?next=/);
    await page.fill('#token', tokenOf(userId));
    await Promise.all([page.waitForURL(`${baseUrl}/inbox`), page.click('button[type=submit]')]);
    return page;
  };
  const task = async (taskId: string) => (await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body;

  it('takes a request from questions to an approved PRD through the inbox and its links', async () => {
    const submitted = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Better dashboard', description: 'Make the dashboard better.' });
    const { taskId } = submitted.body;
    const questions = (await notificationFor(api, 'alice', taskId, 'clarification-requested')).questions ?? [];
    expect(questions.length).toBeGreaterThan(0);

    // Alice: her inbox shows the notification; its link opens the questions; she answers them.
    const alice = await signedIn('alice');
    await expect(alice.locator('body').textContent()).resolves.toContain('Signed in as Alice');
    await alice.reload();
    await alice.click('li[data-kind="clarification-requested"] a[data-action="answer"]');
    await alice.waitForURL(/\/inbox\/links\//);
    await expect(alice.locator('textarea').count()).resolves.toBe(questions.length);
    for (let i = 0; i < questions.length; i++) await alice.fill(`#answer-${i}`, COMPLETE_ANSWER);
    await alice.click('button[type=submit]');
    await alice.getByRole('heading', { name: 'Your answers were sent' }).waitFor(WAIT);

    // Bob: the PRD's approval link offers only approval; he goes back and takes the reject link, with feedback.
    const review1 = await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');
    expect(review1.prdVersion).toBe(1);
    const bob = await signedIn('bob');
    await bob.click(`li[data-notification="${review1.id}"] a[data-action="approve"]`);
    await bob.getByRole('heading', { name: 'Approve the PRD' }).waitFor(WAIT);
    await expect(bob.locator('#feedback').count()).resolves.toBe(0);
    await bob.goto('/inbox');
    await bob.click(`li[data-notification="${review1.id}"] a[data-action="reject"]`);
    await bob.getByRole('heading', { name: 'Reject the PRD' }).waitFor(WAIT);
    await bob.fill('#feedback', FEEDBACK);
    await bob.click('button[type=submit]');
    await bob.getByRole('heading', { name: 'You rejected the PRD' }).waitFor(WAIT);

    // Bob keeps the task page open in a second tab while he approves version 2 from the first.
    const taskPage = await bob.context().newPage();
    await taskPage.goto(`/inbox/tasks/${taskId}`);
    await taskPage.locator('body[data-live="connected"]').waitFor(WAIT);
    await taskPage.evaluate(() => {
      (globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true;
    });

    const review2 = await notificationFor(api, 'bob', taskId, 'prd-ready-for-review', review1.taskVersion + 2);
    expect(review2.prdVersion).toBe(2);
    // The open page shows version 2 arriving, too.
    await taskPage.locator('article.prd[data-prd-version="2"]').waitFor(WAIT);
    await bob.goto('/inbox');
    await bob.click(`li[data-notification="${review2.id}"] a[data-action="approve"]`);
    await bob.getByRole('heading', { name: 'Approve the PRD' }).waitFor(WAIT);
    await expect(bob.locator('form[method="post"]').count()).resolves.toBe(1);
    await bob.click('button[type=submit]');
    await bob.getByRole('heading', { name: 'You approved the PRD' }).waitFor(WAIT);

    await taskPage.locator('#task-status', { hasText: 'Approved' }).waitFor(WAIT);
    // Live, not reloaded: the page's own state survived, and the script swapped the section in.
    await expect(taskPage.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce)).resolves.toBe(true);
    expect(Number(await taskPage.locator('body').getAttribute('data-live-updates'))).toBeGreaterThan(0);
    await expect(taskPage.locator('ol.timeline > li').count()).resolves.toBe(8);
    await expect(taskPage.locator('#live').textContent()).resolves.toContain(FEEDBACK);

    // Version 2 came with its diff from version 1, and its change log answers feedback 1.
    const changes = taskPage.locator('#prd-diff[data-from="1"][data-to="2"]');
    await expect(changes.locator('h3').textContent()).resolves.toContain('Changes from v1');
    expect(await changes.locator('tr[data-requirement]').count()).toBeGreaterThan(0);
    await expect(taskPage.locator('ul.change-log').textContent()).resolves.toContain('For feedback 1');
    await expect(taskPage.locator('dl.generated-by').textContent()).resolves.toContain('Prompt version');
    // Every statement's sources, opened for the screenshot.
    const sources = taskPage.locator('article.prd details.sources');
    expect(await sources.count()).toBeGreaterThan(0);
    await sources.evaluateAll((all) => {
      // No DOM types in this project's TypeScript: the elements as far as this line uses them.
      for (const details of all as unknown as Array<{ setAttribute(name: string, value: string): void }>) details.setAttribute('open', '');
    });
    await expect(taskPage.locator('article.prd details.sources[open] li').first().isVisible()).resolves.toBe(true);

    await mkdir(ARTIFACTS, { recursive: true });
    await taskPage.screenshot({ path: SCREENSHOT, fullPage: true });
    expect((await stat(SCREENSHOT)).size).toBeGreaterThan(0);

    const final = await task(taskId);
    expect(final.task.status).toBe('APPROVED');
    expect(final.history.map((t) => [t.to, t.actor])).toEqual([
      ['NEW', 'user:alice'],
      ['REQUEST_VALIDATION', 'service:orchestration'],
      ['CLARIFICATION_NEEDED', 'service:product-manager-agent'],
      ['REQUEST_VALIDATION', 'user:alice'],
      ['PRD_VALIDATION', 'service:product-manager-agent'],
      ['REQUEST_VALIDATION', 'user:bob'],
      ['PRD_VALIDATION', 'service:product-manager-agent'],
      ['APPROVED', 'user:bob'],
    ]);
    expect(final.history[5]?.feedback).toBe(FEEDBACK);
  }, 50_000);
});
