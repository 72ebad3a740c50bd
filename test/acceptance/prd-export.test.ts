import type { Application } from '../../src/app/container';
import { markdownBlock, markdownText } from '../../src/contexts/human-interaction/application/prd-markdown';
import { changeText, generationText, sourceText } from '../../src/contexts/human-interaction/application/prd-text';
import type { PrdDocument, PrdSource, SourcedItem } from '../../src/contexts/product-definition/contracts';
import { runRefinery } from '../app/cli/support/run-cli';
import { BrowserLike } from '../contexts/human-interaction/infrastructure/web/support/browser-like';
import { Api, type TaskView } from '../support/api';
import { bearer, startTestApp, tokenOf } from '../support/app';
import { eventually } from '../support/eventually';
import { COMPLETE_ANSWER, notificationFor } from '../support/refinement-scenario';

interface Download {
  readonly status: number;
  readonly type: string | undefined;
  readonly disposition: string | undefined;
  readonly body: string;
}

/** The Markdown's sections by their `## ` heading. */
function sectionsOf(markdown: string): Map<string, string> {
  const [, ...parts] = markdown.split(/^## /m);
  return new Map(parts.map((part) => [part.slice(0, part.indexOf('\n')), part.slice(part.indexOf('\n'))]));
}

/**
 * Every section of a PRD version, from the task as GET /api/tasks/:id returns it, checked in the
 * exported Markdown: each statement (escaped as the exporter escapes it) with each of its sources,
 * in its own section.
 */
function expectEveryPart(markdown: string, version: number, prd: PrdDocument): void {
  const lines = markdown.split('\n');
  expect(lines[0]).toBe(`# ${markdownText(prd.title)}`);
  expect(lines).toContain(`PRD version ${version}`);
  const sections = sectionsOf(markdown);
  const section = (name: string): string => {
    const body = sections.get(name);
    if (body === undefined) throw new Error(`no "## ${name}" section in:\n${markdown}`);
    return body;
  };
  const withSources = (name: string, text: string, sources: readonly PrdSource[]) => {
    const body = section(name);
    expect(body).toContain(markdownText(text));
    const after = body.slice(body.indexOf(markdownText(text)));
    for (const source of sources) expect(after).toContain(`- Source: ${markdownText(sourceText(source))}`);
  };
  const items = (name: string, list: readonly SourcedItem[]) => {
    if (list.length === 0) expect(section(name).trim()).toBe('_None._');
    for (const item of list) withSources(name, item.text, item.sources);
  };

  expect(section('Problem')).toContain(markdownBlock(prd.problem));
  items('Goals', prd.goals);
  items('Non-goals', prd.nonGoals);
  for (const story of prd.userStories) {
    withSources('User stories', `As ${story.asA}, I want ${story.iWant}, so that ${story.soThat}.`, story.sources);
    for (const criterion of story.acceptanceCriteria) withSources('User stories', criterion.text, criterion.sources);
  }
  for (const [name, list] of [
    ['Functional requirements', prd.functionalRequirements],
    ['Non-functional requirements', prd.nonFunctionalRequirements],
  ] as const) {
    if (list.length === 0) expect(section(name).trim()).toBe('_None._');
    for (const r of list) {
      expect(section(name)).toContain(`**${r.id}** (${r.priority}): ${markdownText(r.description)}`);
      withSources(name, r.description, r.sources);
    }
  }
  items('Success metrics', prd.successMetrics);
  items('Assumptions', prd.assumptions);
  items('Risks', prd.risks);
  items('Open questions', prd.openQuestions);
  for (const f of prd.feedback) expect(section('Feedback so far')).toContain(`On version ${f.prdVersion}: ${markdownText(f.feedback)}`);
  for (const c of prd.clarificationLog) {
    expect(section('Clarifications used')).toContain(`**Q:** ${markdownText(c.question)}`);
    expect(section('Clarifications used')).toContain(`**A:** ${markdownText(c.answer)}`);
  }
  expect(section('Original request')).toContain(markdownBlock(prd.originalRequest));
  for (const change of prd.changeLog) expect(section('Change log')).toContain(markdownText(changeText(change, prd.feedback)));
  expect(section('Written by')).toContain(markdownText(generationText(prd.generatedBy)));
}

/**
 * Export: a real workflow (a clarification, a PRD, a rejection, a second version) to
 * PRD_VALIDATION, then the PRD as Markdown from the API, the inbox's download link and
 * `refinery show --markdown`, all the same text.
 */
describe('exporting a PRD as Markdown', () => {
  let app: Application;
  let api: Api;
  let baseUrl: string;
  let taskId: string;
  let v2: TaskView;
  const feedback = 'Add a CSV export of the backlog chart for the weekly report.';

  const download = async (user: string, url: string): Promise<Download> => {
    const response = await app.http.inject({ method: 'GET', url, headers: bearer(user) });
    const header = (name: string) => response.headers[name]?.toString();
    return { status: response.statusCode, type: header('content-type'), disposition: header('content-disposition'), body: response.body };
  };

  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } });
    api = new Api(app);
    baseUrl = await app.listen();
    taskId = (await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Better dashboard', description: 'Make the dashboard better.' })).body.taskId;
    const clarification = await notificationFor(api, 'alice', taskId, 'clarification-requested');
    const answers = (clarification.questions ?? []).map((question) => ({ question, answer: COMPLETE_ANSWER }));
    expect((await api.post('alice', `/api/tasks/${taskId}/answers`, { answers })).status).toBe(202);
    await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');
    expect((await api.post('bob', `/api/tasks/${taskId}/reject`, { feedback, prdVersion: 1 })).status).toBe(202);
    v2 = await eventually(async () => {
      const view = (await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body;
      expect(view.task.status).toBe('PRD_VALIDATION');
      expect(view.prd?.version).toBe(2);
      return view;
    });
  }, 90_000);
  afterAll(() => app?.stop());

  it('holds every section of the stored PRD, each statement with its sources, the change log and who wrote it', async () => {
    const prd = v2.prd?.document;
    if (!prd) throw new Error('no PRD');
    // The second version has feedback, a change log and clarifications: no section is empty by construction.
    expect(prd.feedback).toEqual([{ prdVersion: 1, feedback }]);
    expect(prd.changeLog.length).toBeGreaterThan(0);
    expect(prd.clarificationLog.length).toBeGreaterThan(0);

    const latest = await download('alice', `/api/tasks/${taskId}/prd.md`);
    expect(latest.status).toBe(200);
    expect(latest.type).toBe('text/markdown; charset=utf-8');
    expect(latest.disposition).toBe('attachment; filename="better-dashboard-v2.md"');
    expectEveryPart(latest.body, 2, prd);
    expect(latest.body).toContain(markdownText(feedback));
  });

  it('exports an earlier version by number, the newest without one, to everyone who may read the task', async () => {
    const v1 = await download('bob', `/api/tasks/${taskId}/prd.md?version=1`);
    expect(v1.status).toBe(200);
    expect(v1.disposition).toBe('attachment; filename="better-dashboard-v1.md"');
    expect(v1.body).toContain('PRD version 1\n');
    // Version 1 came before the feedback: it is not in it.
    expect(v1.body).not.toContain(markdownText(feedback));

    const byNumber = await download('bob', `/api/tasks/${taskId}/prd.md?version=2`);
    const newest = await download('root', `/api/tasks/${taskId}/prd.md`);
    expect(newest.status).toBe(200);
    expect(newest.body).toBe(byNumber.body);
    expect(newest.body).not.toBe(v1.body);
  });

  it('answers 400 naming version, 404 naming the unknown task or version, 403 for someone else, 401 without a token', async () => {
    for (const bad of ['0', '-1', 'two', '1.5', '']) {
      const refused = await download('alice', `/api/tasks/${taskId}/prd.md?version=${bad}`);
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.body)).toMatchObject({ issues: [{ field: 'version', message: 'must be a positive integer' }] });
    }
    const unknownVersion = await download('alice', `/api/tasks/${taskId}/prd.md?version=9`);
    expect(unknownVersion.status).toBe(404);
    expect(JSON.parse(unknownVersion.body)).toMatchObject({ message: `PRD version 9 of task ${taskId} not found` });
    const unknownTask = await download('alice', '/api/tasks/00000000-0000-4000-8000-000000000000/prd.md');
    expect(unknownTask.status).toBe(404);
    expect(JSON.parse(unknownTask.body)).toMatchObject({ message: 'task 00000000-0000-4000-8000-000000000000 not found' });
    expect((await download('carol', `/api/tasks/${taskId}/prd.md`)).status).toBe(403);
    expect((await app.http.inject({ method: 'GET', url: `/api/tasks/${taskId}/prd.md` })).statusCode).toBe(401);
  });

  it('answers 404 for a task that has no PRD yet', async () => {
    const fresh = (await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Another', description: 'Make it better.' })).body.taskId;
    const none = await download('alice', `/api/tasks/${fresh}/prd.md`);
    expect(none.status).toBe(404);
    expect(JSON.parse(none.body)).toMatchObject({ message: `task ${fresh} has no PRD yet` });
  });

  it('offers the same file on the task page, to a signed-in participant only', async () => {
    const api2 = await download('alice', `/api/tasks/${taskId}/prd.md?version=2`);
    const web = new BrowserLike(baseUrl);
    await web.signIn('alice');
    const page = await web.get(`/inbox/tasks/${taskId}`);
    const href = /<a [^>]*id="prd-download"[^>]*href="([^"]+)"/.exec(page.body)?.[1] ?? /<a [^>]*href="([^"]+)"[^>]*id="prd-download"/.exec(page.body)?.[1];
    expect(href).toBe(`/inbox/tasks/${taskId}/prd.md?version=2`);
    const file = await web.get(href ?? '');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="better-dashboard-v2.md"');
    expect(file.body).toBe(api2.body);
    const badVersion = await web.get(`/inbox/tasks/${taskId}/prd.md?version=0`);
    expect(badVersion.status).toBe(400);
    expect(badVersion.body).toContain('version: must be a positive integer');
    const unknownVersion = await web.get(`/inbox/tasks/${taskId}/prd.md?version=7`);
    expect(unknownVersion.status).toBe(404);
    expect(unknownVersion.body).toContain(`PRD version 7 of task ${taskId} not found`);

    const stranger = new BrowserLike(baseUrl);
    await stranger.signIn('carol');
    const forbidden = await stranger.get(href ?? '');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).not.toContain(api2.body.split('\n')[0]);
    const anonymous = await new BrowserLike(baseUrl).get(href ?? '');
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toMatch(/^\/inbox\/login\?next=/);
  });

  it("prints the task page as a document: the page's stylesheet hides the header, forms and buttons and keeps a requirement on one page", async () => {
    const page = await new BrowserLike(baseUrl).get('/inbox/login');
    const stylesheet = /<link rel="stylesheet" href="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const css = (await new BrowserLike(baseUrl).get(stylesheet)).body;
    const print = css.slice(css.indexOf('@media print {'));
    expect(print.length).toBeGreaterThan(0);
    const rule = (selector: string) => print.split('\n').find((line) => line.trimStart().startsWith(selector)) ?? '';
    for (const hidden of ['header.top', 'nav', 'form', 'button', '.prd-export']) expect(rule('header.top').split('{')[0]).toContain(hidden);
    expect(rule('header.top')).toContain('display: none');
    expect(rule('* {')).toMatch(/color: #000 !important; background: #fff !important/);
    expect(rule('tr, li')).toMatch(/tr, li, .*\{ break-inside: avoid; page-break-inside: avoid; \}/);
  });

  it('prints the same Markdown with `refinery show --markdown`, and refuses flags that do not go together', async () => {
    const cli = (user: string, argv: readonly string[]) =>
      runRefinery(argv, { env: { REFINERY_URL: baseUrl, REFINERY_TOKEN: tokenOf(user) }, stderrIsTty: false });
    const newest = await download('alice', `/api/tasks/${taskId}/prd.md`);
    expect(await cli('alice', ['show', taskId, '--markdown'])).toEqual({ code: 0, stdout: newest.body, stderr: '' });
    const v1 = await download('alice', `/api/tasks/${taskId}/prd.md?version=1`);
    expect((await cli('bob', ['show', taskId, '--markdown', '--prd-version', '1'])).stdout).toBe(v1.body);

    const missing = await cli('alice', ['show', taskId, '--markdown', '--prd-version', '9']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain(`not found (404): PRD version 9 of task ${taskId} not found`);
    const forbidden = await cli('carol', ['show', taskId, '--markdown']);
    expect(forbidden.code).toBe(3);
    expect((await cli('alice', ['show', taskId, '--markdown', '--json'])).code).toBe(2);
    expect((await cli('alice', ['show', taskId, '--prd-version', '1'])).code).toBe(2);
  });
});
