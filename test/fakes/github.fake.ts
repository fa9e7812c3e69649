import { randomBytes } from 'node:crypto';
import {
  asNumber,
  asString,
  FakeHttpServer,
  FakeHttpServerOptions,
  FakeResponse,
  isRecord,
  RecordedCall,
} from './fake-http-server';

export interface GitHubIdentity {
  login: string;
  id: number;
  type: 'User' | 'Bot';
  /** Classic-PAT scopes, reported in `x-oauth-scopes`. */
  scopes?: string[];
}

export interface GitHubAppSpec {
  appId: number;
  slug: string;
  installationId: number;
  /** Bot login, conventionally `<slug>[bot]`. */
  login: string;
  name?: string;
  botId?: number;
}

export interface GitHubRepoSpec {
  owner: string;
  name: string;
  private?: boolean;
  default_branch?: string;
}

export interface GitHubPullFile {
  filename: string;
  status?: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  additions?: number;
  deletions?: number;
  changes?: number;
  patch?: string;
  sha?: string;
}

export interface GitHubIssueSpec {
  title: string;
  body?: string;
  state?: 'open' | 'closed';
  user?: GitHubIdentity;
}

export interface GitHubPullSpec extends GitHubIssueSpec {
  head?: string;
  base?: string;
  draft?: boolean;
}

interface TokenState {
  identity: GitHubIdentity;
  installationId?: number;
  expiresAt?: number;
}

interface CommentState {
  id: number;
  body: string;
  user: GitHubIdentity;
  createdAt: string;
  reactions: ReactionState[];
}

interface ReactionState {
  id: number;
  content: string;
  login: string;
}

interface IssueState {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  user: GitHubIdentity;
  createdAt: string;
  comments: CommentState[];
  reactions: ReactionState[];
  pull?: { head: string; base: string; draft: boolean; files: GitHubPullFile[] };
}

interface RepoState {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string;
  issues: IssueState[];
  nextNumber: number;
}

interface Ctx {
  call: RecordedCall;
  params: Record<string, string>;
  token?: TokenState;
  app?: GitHubAppSpec;
}

interface Route {
  method: string;
  template: string;
  /** `jwt`: app JWT required; `token`: token required; `read`: anonymous allowed for public repos. */
  auth: 'jwt' | 'token' | 'read';
  run: (ctx: Ctx) => FakeResponse;
}

const DOCS = 'https://docs.github.com/rest';
const WEB = 'https://github.com';
const ghError = (status: number, message: string, extra: Record<string, unknown> = {}): FakeResponse => ({
  status,
  body: { message, documentation_url: DOCS, status: String(status), ...extra },
});
const notFound = (): FakeResponse => ghError(404, 'Not Found');
const json = (body: unknown, status = 200, headers?: Record<string, string>): FakeResponse => ({
  status,
  body,
  headers,
});
const validationFailed = (resource: string, field: string): FakeResponse =>
  ghError(422, 'Validation Failed', { errors: [{ resource, code: 'missing_field', field }] });

/** Fake GitHub REST API (Octokit `baseUrl` = `fake.url`). */
export class FakeGitHubApi extends FakeHttpServer {
  private readonly tokens = new Map<string, TokenState>();
  private readonly apps = new Map<number, GitHubAppSpec>();
  private readonly installations = new Map<number, GitHubAppSpec>();
  private readonly repos = new Map<string, RepoState>();
  private nextId = 1000;
  private readonly routes: Route[] = [
    { method: 'GET', template: '/app', auth: 'jwt', run: (c) => this.getApp(c) },
    { method: 'GET', template: '/app/installations', auth: 'jwt', run: (c) => this.listInstallations(c) },
    {
      method: 'POST',
      template: '/app/installations/:installation_id/access_tokens',
      auth: 'jwt',
      run: (c) => this.createInstallationToken(c),
    },
    { method: 'GET', template: '/repos/:owner/:repo/installation', auth: 'jwt', run: (c) => this.repoInstallation(c) },
    { method: 'GET', template: '/user', auth: 'token', run: (c) => this.getUser(c) },
    { method: 'GET', template: '/user/repos', auth: 'token', run: (c) => this.userRepos(c) },
    { method: 'GET', template: '/installation/repositories', auth: 'token', run: (c) => this.installationRepos(c) },
    { method: 'GET', template: '/repos/:owner/:repo', auth: 'read', run: (c) => this.withRepo(c, (r) => json(this.repoJson(r))) },
    { method: 'GET', template: '/repos/:owner/:repo/issues', auth: 'read', run: (c) => this.listIssues(c, false) },
    { method: 'POST', template: '/repos/:owner/:repo/issues', auth: 'token', run: (c) => this.createIssue(c) },
    { method: 'GET', template: '/repos/:owner/:repo/issues/:number', auth: 'read', run: (c) => this.getIssue(c) },
    {
      method: 'GET',
      template: '/repos/:owner/:repo/issues/:number/comments',
      auth: 'read',
      run: (c) => this.withIssue(c, (r, i) => this.paginate(c, i.comments.map((cm) => this.commentJson(r, i, cm)))),
    },
    {
      method: 'POST',
      template: '/repos/:owner/:repo/issues/:number/comments',
      auth: 'token',
      run: (c) => this.createComment(c),
    },
    { method: 'POST', template: '/repos/:owner/:repo/issues/:number/reactions', auth: 'token', run: (c) => this.withIssue(c, (_r, i) => this.react(c, i.reactions)) },
    {
      method: 'POST',
      template: '/repos/:owner/:repo/issues/comments/:comment_id/reactions',
      auth: 'token',
      run: (c) => this.withRepo(c, (r) => {
        const comment = r.issues.flatMap((i) => i.comments).find((cm) => cm.id === Number(c.params.comment_id));
        return comment ? this.react(c, comment.reactions) : notFound();
      }),
    },
    { method: 'GET', template: '/repos/:owner/:repo/pulls', auth: 'read', run: (c) => this.listIssues(c, true) },
    { method: 'GET', template: '/repos/:owner/:repo/pulls/:number', auth: 'read', run: (c) => this.getPull(c) },
    {
      method: 'GET',
      template: '/repos/:owner/:repo/pulls/:number/files',
      auth: 'read',
      run: (c) => this.withPull(c, (_r, p) => this.paginate(c, (p.pull?.files ?? []).map(fileJson))),
    },
  ];

  constructor(options?: FakeHttpServerOptions) {
    super(options);
  }

  addToken(token: string, identity: GitHubIdentity): this {
    this.tokens.set(token, { identity });
    return this;
  }

  /** Registers a GitHub App installation; call again with another installationId to add installations. */
  addApp(app: GitHubAppSpec): this {
    this.apps.set(app.appId, app);
    this.installations.set(app.installationId, app);
    return this;
  }

  addRepo(spec: GitHubRepoSpec): this {
    this.repos.set(repoKey(spec.owner, spec.name), {
      id: this.nextId++,
      owner: spec.owner,
      name: spec.name,
      private: spec.private ?? false,
      defaultBranch: spec.default_branch ?? 'main',
      issues: [],
      nextNumber: 1,
    });
    return this;
  }

  addIssue(owner: string, repo: string, spec: GitHubIssueSpec): number {
    return this.insertIssue(this.mustRepo(owner, repo), spec).number;
  }

  addPull(owner: string, repo: string, spec: GitHubPullSpec): number {
    const issue = this.insertIssue(this.mustRepo(owner, repo), spec);
    issue.pull = { head: spec.head ?? 'feature', base: spec.base ?? 'main', draft: spec.draft ?? false, files: [] };
    return issue.number;
  }

  /** Sets the files of a pull request; creates the PR (with that number) if it does not exist. */
  addPullFiles(owner: string, repo: string, number: number, files: GitHubPullFile[]): this {
    const state = this.mustRepo(owner, repo);
    let issue = state.issues.find((i) => i.number === number);
    if (!issue) {
      state.nextNumber = Math.max(state.nextNumber, number);
      issue = this.insertIssue(state, { title: `PR #${number}` });
    }
    issue.pull ??= { head: 'feature', base: state.defaultBranch, draft: false, files: [] };
    issue.pull.files = files;
    return this;
  }

  /** A comment by someone else (e.g. the one a webhook payload says mentions the bot); its id. */
  addComment(owner: string, repo: string, number: number, spec: { body: string; user: GitHubIdentity }): number {
    const issue = this.mustRepo(owner, repo).issues.find((i) => i.number === number);
    if (!issue) throw new Error(`no issue #${number} in ${owner}/${repo}`);
    const comment: CommentState = { id: this.nextId++, body: spec.body, user: spec.user, createdAt: new Date().toISOString(), reactions: [] };
    issue.comments.push(comment);
    return comment.id;
  }

  /** Reactions on an issue or PR (`{issue}`) or on one of its comments (`{comment}`), as `login:content`. */
  reactionsOn(owner: string, repo: string, target: { issue: number } | { comment: number }): string[] {
    const issues = this.mustRepo(owner, repo).issues;
    const found = 'issue' in target ? issues.find((i) => i.number === target.issue) : issues.flatMap((i) => i.comments).find((c) => c.id === target.comment);
    return (found?.reactions ?? []).map((r) => `${r.login}:${r.content}`);
  }

  /** Comments currently stored on an issue or PR. */
  commentsOn(owner: string, repo: string, number: number): { id: number; body: string; login: string }[] {
    const issue = this.repos.get(repoKey(owner, repo))?.issues.find((i) => i.number === number);
    return (issue?.comments ?? []).map((c) => ({ id: c.id, body: c.body, login: c.user.login }));
  }

  protected nameOf(call: RecordedCall): string {
    const found = this.route(call);
    return `${call.method} ${found ? found.route.template : call.path}`;
  }

  /** failNext('...') matches the route name exactly or any path containing the string. */
  protected override matchesName(call: RecordedCall, name: string): boolean {
    return this.nameOf(call) === name || call.path.includes(name);
  }

  protected handle(call: RecordedCall): FakeResponse {
    const found = this.route(call);
    if (!found) return notFound();
    const { route, params } = found;
    const ctx: Ctx = { call, params };
    const auth = /^(token|bearer)\s+(\S+)$/i.exec(call.headers.authorization ?? '');

    if (route.auth === 'jwt') {
      if (!auth) return ghError(401, 'A JSON web token could not be decoded');
      const checked = this.checkJwt(auth[2]);
      if ('status' in checked) return checked;
      ctx.app = checked;
    } else if (auth) {
      const token = this.tokens.get(auth[2]);
      if (!token || (token.expiresAt !== undefined && token.expiresAt < Date.now())) {
        return ghError(401, 'Bad credentials');
      }
      ctx.token = token;
    } else if (route.auth === 'token') {
      return ghError(401, 'Requires authentication');
    }

    if (call.method !== 'GET' && typeof call.body === 'string') return ghError(400, 'Problems parsing JSON');
    const response = route.run(ctx);
    const scopes = ctx.token?.identity.scopes;
    if (scopes === undefined) return response;
    return { ...response, headers: { 'x-oauth-scopes': scopes.join(', '), ...response.headers } };
  }

  // --- routing & auth ------------------------------------------------------------------------------------------

  private route(call: RecordedCall): { route: Route; params: Record<string, string> } | undefined {
    const segments = call.path.replace(/\/+$/, '').split('/');
    for (const route of this.routes) {
      if (route.method !== call.method) continue;
      const parts = route.template.split('/');
      if (parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const matched = parts.every((part, i) => {
        if (part.startsWith(':')) {
          params[part.slice(1)] = decodeURIComponent(segments[i]);
          return segments[i] !== '';
        }
        return part === segments[i];
      });
      if (matched) return { route, params };
    }
    return undefined;
  }

  private checkJwt(jwt: string): GitHubAppSpec | FakeResponse {
    const parts = jwt.split('.');
    const decode = (part: string): unknown => {
      try {
        return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
      } catch {
        return undefined;
      }
    };
    if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) {
      return ghError(401, 'A JSON web token could not be decoded');
    }
    const header = decode(parts[0]);
    const payload = decode(parts[1]);
    if (!isRecord(header) || !isRecord(payload)) return ghError(401, 'A JSON web token could not be decoded');
    const exp = asNumber(payload.exp);
    if (exp !== undefined && exp * 1000 < Date.now()) {
      return ghError(
        401,
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
      );
    }
    const iss = asNumber(payload.iss);
    if (iss === undefined) return ghError(401, "'Issuer' claim ('iss') must be an Integer");
    const app = this.apps.get(iss);
    return app ?? ghError(401, 'Integration not found');
  }

  // --- handlers ------------------------------------------------------------------------------------------------

  private getApp({ app }: Ctx): FakeResponse {
    const a = app as GitHubAppSpec;
    return json({
      id: a.appId,
      slug: a.slug,
      node_id: `A_${a.appId}`,
      name: a.name ?? a.slug,
      owner: { login: 'fake-org', id: 1, type: 'Organization' },
      html_url: `${WEB}/apps/${a.slug}`,
      permissions: { issues: 'write', pull_requests: 'write', metadata: 'read' },
      events: ['issues', 'issue_comment', 'pull_request'],
      installations_count: this.installationIdsOf(a.appId).length,
    });
  }

  private listInstallations({ app }: Ctx): FakeResponse {
    const a = app as GitHubAppSpec;
    return json(this.installationIdsOf(a.appId).map((id) => this.installationJson(id, a)));
  }

  private createInstallationToken({ app, params }: Ctx): FakeResponse {
    const installationId = Number(params.installation_id);
    const installation = this.installations.get(installationId);
    if (!installation || installation.appId !== app?.appId) return notFound();
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    const expiresAt = Date.now() + 3600_000;
    this.tokens.set(token, {
      identity: { login: installation.login, id: installation.botId ?? 40_000_000 + installation.appId, type: 'Bot' },
      installationId,
      expiresAt,
    });
    return json(
      {
        token,
        expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        permissions: { issues: 'write', pull_requests: 'write', metadata: 'read' },
        repository_selection: 'all',
      },
      201,
    );
  }

  private repoInstallation(ctx: Ctx): FakeResponse {
    const a = ctx.app as GitHubAppSpec;
    const id = this.installationIdsOf(a.appId)[0];
    return this.withRepo(ctx, (repo) => (id === undefined ? notFound() : json(this.installationJson(id, a, repo.owner))));
  }

  private getUser({ token }: Ctx): FakeResponse {
    const t = token as TokenState;
    if (t.installationId !== undefined) {
      return ghError(403, 'Resource not accessible by integration', {
        documentation_url: `${DOCS}/users/users#get-the-authenticated-user`,
      });
    }
    return json({ ...userJson(t.identity), name: t.identity.login, email: null });
  }

  private userRepos(ctx: Ctx): FakeResponse {
    if (ctx.token?.installationId !== undefined) return ghError(403, 'Resource not accessible by integration');
    return this.paginate(ctx, [...this.repos.values()].map((r) => this.repoJson(r)));
  }

  private installationRepos(ctx: Ctx): FakeResponse {
    if (ctx.token?.installationId === undefined) {
      return ghError(
        403,
        'You must authenticate with an installation access token in order to list repositories for an installation.',
      );
    }
    const all = [...this.repos.values()].map((r) => this.repoJson(r));
    const page = this.paginate(ctx, all);
    return { ...page, body: { total_count: all.length, repository_selection: 'all', repositories: page.body } };
  }

  private listIssues(ctx: Ctx, pullsOnly: boolean): FakeResponse {
    return this.withRepo(ctx, (repo) => {
      const state = ctx.call.query.state ?? 'open';
      const issues = repo.issues
        .filter((i) => (pullsOnly ? i.pull !== undefined : true))
        .filter((i) => state === 'all' || i.state === state)
        .sort((a, b) => b.number - a.number);
      return this.paginate(
        ctx,
        issues.map((i) => (pullsOnly ? this.pullJson(repo, i) : this.issueJson(repo, i))),
      );
    });
  }

  private createIssue(ctx: Ctx): FakeResponse {
    return this.withRepo(ctx, (repo) => {
      const body = isRecord(ctx.call.body) ? ctx.call.body : {};
      const title = asString(body.title);
      if (!title) return validationFailed('Issue', 'title');
      const issue = this.insertIssue(repo, {
        title,
        body: asString(body.body),
        user: ctx.token?.identity,
      });
      return json(this.issueJson(repo, issue), 201);
    });
  }

  private getIssue(ctx: Ctx): FakeResponse {
    return this.withIssue(ctx, (repo, issue) => json(this.issueJson(repo, issue)));
  }

  private getPull(ctx: Ctx): FakeResponse {
    return this.withPull(ctx, (repo, pull) => json(this.pullJson(repo, pull)));
  }

  private createComment(ctx: Ctx): FakeResponse {
    return this.withIssue(ctx, (repo, issue) => {
      const body = isRecord(ctx.call.body) ? asString(ctx.call.body.body) : undefined;
      if (!body) return validationFailed('IssueComment', 'body');
      const comment: CommentState = {
        id: this.nextId++,
        body,
        user: (ctx.token as TokenState).identity,
        createdAt: new Date().toISOString(),
        reactions: [],
      };
      issue.comments.push(comment);
      return json(this.commentJson(repo, issue, comment), 201);
    });
  }

  /** GitHub keeps one reaction per user and content: the same one again answers 200 with the existing reaction. */
  private react(ctx: Ctx, reactions: ReactionState[]): FakeResponse {
    const content = isRecord(ctx.call.body) ? asString(ctx.call.body.content) : undefined;
    if (!content || !['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'].includes(content)) return validationFailed('Reaction', 'content');
    const login = (ctx.token as TokenState).identity.login;
    const existing = reactions.find((r) => r.login === login && r.content === content);
    if (existing) return json({ id: existing.id, content, user: { login } });
    const reaction = { id: this.nextId++, content, login };
    reactions.push(reaction);
    return json({ id: reaction.id, content, user: { login } }, 201);
  }

  // --- helpers -------------------------------------------------------------------------------------------------

  private withRepo(ctx: Ctx, run: (repo: RepoState) => FakeResponse): FakeResponse {
    const repo = this.repos.get(repoKey(ctx.params.owner, ctx.params.repo));
    // Private repos are invisible (404) without credentials, like on github.com.
    if (!repo || (repo.private && !ctx.token && !ctx.app)) return notFound();
    return run(repo);
  }

  private withIssue(ctx: Ctx, run: (repo: RepoState, issue: IssueState) => FakeResponse): FakeResponse {
    return this.withRepo(ctx, (repo) => {
      const issue = repo.issues.find((i) => i.number === Number(ctx.params.number));
      return issue ? run(repo, issue) : notFound();
    });
  }

  private withPull(ctx: Ctx, run: (repo: RepoState, pull: IssueState) => FakeResponse): FakeResponse {
    return this.withIssue(ctx, (repo, issue) => (issue.pull ? run(repo, issue) : notFound()));
  }

  private paginate(ctx: Ctx, items: unknown[]): FakeResponse {
    const perPage = Math.min(Math.max(asNumber(ctx.call.query.per_page) ?? 30, 1), 100);
    const page = Math.max(asNumber(ctx.call.query.page) ?? 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    if (page >= last) return json(slice);
    const link = (p: number, rel: string): string => {
      const query = new URLSearchParams({ ...ctx.call.query, per_page: String(perPage), page: String(p) });
      return `<${this.url}${ctx.call.path}?${query}>; rel="${rel}"`;
    };
    return json(slice, 200, { link: `${link(page + 1, 'next')}, ${link(last, 'last')}` });
  }

  private mustRepo(owner: string, name: string): RepoState {
    const repo = this.repos.get(repoKey(owner, name));
    if (!repo) throw new Error(`FakeGitHubApi: addRepo({ owner: '${owner}', name: '${name}' }) first`);
    return repo;
  }

  private insertIssue(repo: RepoState, spec: GitHubIssueSpec): IssueState {
    const issue: IssueState = {
      id: this.nextId++,
      number: repo.nextNumber++,
      title: spec.title,
      body: spec.body ?? null,
      state: spec.state ?? 'open',
      user: spec.user ?? { login: 'octocat', id: 583231, type: 'User' },
      createdAt: new Date().toISOString(),
      comments: [],
      reactions: [],
    };
    repo.issues.push(issue);
    return issue;
  }

  private installationIdsOf(appId: number): number[] {
    return [...this.installations].filter(([, app]) => app.appId === appId).map(([id]) => id);
  }

  private installationJson(id: number, app: GitHubAppSpec, account = 'fake-org'): Record<string, unknown> {
    return {
      id,
      app_id: app.appId,
      app_slug: app.slug,
      account: { login: account, id: 1, type: 'Organization' },
      repository_selection: 'all',
      permissions: { issues: 'write', pull_requests: 'write', metadata: 'read' },
      target_type: 'Organization',
    };
  }

  private repoJson(repo: RepoState): Record<string, unknown> {
    const fullName = `${repo.owner}/${repo.name}`;
    return {
      id: repo.id,
      node_id: `R_${repo.id}`,
      name: repo.name,
      full_name: fullName,
      private: repo.private,
      visibility: repo.private ? 'private' : 'public',
      owner: { login: repo.owner, id: 1, type: 'Organization', html_url: `${WEB}/${repo.owner}` },
      html_url: `${WEB}/${fullName}`,
      url: `${this.url}/repos/${fullName}`,
      default_branch: repo.defaultBranch,
      fork: false,
      archived: false,
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    };
  }

  private issueJson(repo: RepoState, issue: IssueState): Record<string, unknown> {
    const kind = issue.pull ? 'pull' : 'issues';
    const apiBase = `${this.url}/repos/${repo.owner}/${repo.name}`;
    return {
      id: issue.id,
      node_id: `I_${issue.id}`,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      user: userJson(issue.user),
      labels: [],
      comments: issue.comments.length,
      html_url: `${WEB}/${repo.owner}/${repo.name}/${kind}/${issue.number}`,
      url: `${apiBase}/issues/${issue.number}`,
      created_at: issue.createdAt,
      updated_at: issue.createdAt,
      ...(issue.pull ? { pull_request: { url: `${apiBase}/pulls/${issue.number}` } } : {}),
    };
  }

  private pullJson(repo: RepoState, issue: IssueState): Record<string, unknown> {
    const pull = issue.pull ?? { head: 'feature', base: repo.defaultBranch, draft: false, files: [] };
    return {
      id: issue.id,
      node_id: `PR_${issue.id}`,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      draft: pull.draft,
      merged: false,
      user: userJson(issue.user),
      html_url: `${WEB}/${repo.owner}/${repo.name}/pull/${issue.number}`,
      url: `${this.url}/repos/${repo.owner}/${repo.name}/pulls/${issue.number}`,
      head: { ref: pull.head, sha: sha(`${issue.id}-head`) },
      base: { ref: pull.base, sha: sha(`${issue.id}-base`) },
      created_at: issue.createdAt,
      updated_at: issue.createdAt,
    };
  }

  private commentJson(repo: RepoState, issue: IssueState, comment: CommentState): Record<string, unknown> {
    const kind = issue.pull ? 'pull' : 'issues';
    return {
      id: comment.id,
      node_id: `IC_${comment.id}`,
      body: comment.body,
      user: userJson(comment.user),
      html_url: `${WEB}/${repo.owner}/${repo.name}/${kind}/${issue.number}#issuecomment-${comment.id}`,
      issue_url: `${this.url}/repos/${repo.owner}/${repo.name}/issues/${issue.number}`,
      created_at: comment.createdAt,
      updated_at: comment.createdAt,
    };
  }
}

function repoKey(owner: string, name: string): string {
  return `${owner}/${name}`.toLowerCase();
}

function userJson(identity: GitHubIdentity): Record<string, unknown> {
  return { login: identity.login, id: identity.id, type: identity.type, html_url: `${WEB}/${identity.login}` };
}

function fileJson(file: GitHubPullFile): Record<string, unknown> {
  const additions = file.additions ?? 0;
  const deletions = file.deletions ?? 0;
  return {
    sha: file.sha ?? sha(file.filename),
    filename: file.filename,
    status: file.status ?? 'modified',
    additions,
    deletions,
    changes: file.changes ?? additions + deletions,
    ...(file.patch !== undefined ? { patch: file.patch } : {}),
  };
}

/** Deterministic 40-hex "sha" for fixtures. */
function sha(seed: string): string {
  return Buffer.from(seed.padEnd(20, '0').slice(0, 20)).toString('hex');
}
