import type { IncomingMessage, ParsedEvent } from '../../connections/platform-connector';

/** What we store for a GitHub delivery: the event name (from the header) and the payload. */
export interface StoredGitHubEvent {
  event: string;
  delivery: string;
  payload: GhPayload;
}

export interface GhUser {
  login: string;
  id?: number;
  type?: string;
}
export interface GhLabel {
  name: string;
}
export interface GhIssue {
  number: number;
  title: string;
  body?: string | null;
  user?: GhUser;
  labels?: (GhLabel | string)[];
  html_url?: string;
  pull_request?: unknown;
}
export interface GhPayload {
  action?: string;
  sender?: GhUser;
  repository?: { full_name: string; default_branch?: string; html_url?: string; name?: string; owner?: { login: string } };
  issue?: GhIssue;
  comment?: { id: number; body?: string; user?: GhUser; html_url?: string };
  pull_request?: GhIssue & { draft?: boolean; head?: { ref?: string; sha?: string }; base?: { ref?: string } };
  ref?: string;
  before?: string;
  after?: string;
  compare?: string;
  commits?: { id: string; message: string; author?: { name?: string } }[];
  head_commit?: { id: string; message: string } | null;
  pusher?: { name?: string };
  release?: { tag_name: string; name?: string | null; html_url?: string; prerelease?: boolean; author?: GhUser; body?: string | null };
}

/** `owner/name` as GitHub allows them; the conversation's chat id, and where the reply goes. */
export const REPO_FULL_NAME = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;
const isNumberId = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0;

/** Why the ids of an event cannot name a conversation we can store or answer (signed, but malformed), if they cannot. */
function badIds(p: GhPayload): string | undefined {
  if (!REPO_FULL_NAME.test(p.repository?.full_name ?? '')) return 'invalid repository full_name';
  if (p.issue && !isNumberId(p.issue.number)) return 'invalid issue number';
  if (p.pull_request && !isNumberId(p.pull_request.number)) return 'invalid pull request number';
  if (p.comment && !isNumberId(p.comment.id)) return 'invalid comment id';
  const sha = p.pull_request?.head?.sha;
  if (sha !== undefined && (typeof sha !== 'string' || !/^[0-9a-f]{1,64}$/i.test(sha))) return 'invalid head sha';
  return undefined;
}

export type Priority = 'high' | 'medium' | 'low';

/** Why an event is outside the connection's settings (events, repositories), or undefined when it is in. */
export function outsideSettings(settings: { repositories?: string[]; events?: string[] }, event: string, repo: string | undefined): string | undefined {
  if (settings.events?.length && !settings.events.includes(event)) return `${event} events are not subscribed in settings.events`;
  const r = typeof repo === 'string' ? repo.toLowerCase() : undefined;
  if (settings.repositories?.length && (!r || !settings.repositories.includes(r))) return `repository ${r ?? '(none)'} is not in settings.repositories`;
  return undefined;
}

/** `priority: high` / `critical` / `urgent` → high, `priority: low` → low, anything else → medium. */
export function priorityOf(labels: (GhLabel | string)[] = []): Priority {
  const names = labels.map((l) => (typeof l === 'string' ? l : l.name).toLowerCase().replace(/^priority:\s*/, '').trim());
  if (names.some((n) => n === 'high' || n === 'critical' || n === 'urgent')) return 'high';
  if (names.includes('low')) return 'low';
  return 'medium';
}

/** The conversation of an event: the issue or PR thread, else the repository and event. */
export function githubOrderingKey(e: StoredGitHubEvent): string {
  const name = e.payload.repository?.full_name;
  const repo = typeof name === 'string' ? name.toLowerCase() : 'no-repo';
  const n = e.payload.issue?.number ?? e.payload.pull_request?.number;
  return n !== undefined ? `${repo}#${n}` : `${repo}:${e.event}`;
}

export interface ChangedFile {
  filename: string;
  status: string;
  additions: number;
  deletions: number;
  patch?: string;
}

const MAX_FILES = 50;
const MAX_PATCH = 2000;
const MAX_DIFF_TOTAL = 30_000;

/** The bot's @handle: a GitHub App's login is `<slug>[bot]` but people mention `@<slug>`. */
export const handleOf = (login: string): string => login.replace(/\[bot\]$/i, '');

/**
 * Routing: new issues (triage), comments that mention the bot, opened/updated/ready PRs (review) go to the agent;
 * pushes to the default branch and published releases become outbound events; the bot's own activity and draft PRs
 * are ignored.
 */
export function parseGitHubEvent(
  e: StoredGitHubEvent,
  botLogin: string,
  connectionId: string,
  settings: { repositories?: string[]; events?: string[] },
  files?: ChangedFile[],
): ParsedEvent | { kind: 'needs-files'; owner: string; repo: string; number: number } {
  const p = e.payload;
  const repo = p.repository?.full_name;
  if (!repo) return { kind: 'ignored', reason: 'event without a repository' };
  const invalid = badIds(p);
  if (invalid) return { kind: 'ignored', reason: invalid };
  const outside = outsideSettings(settings, e.event, repo);
  if (outside) return { kind: 'ignored', reason: outside };
  if (p.sender?.login && p.sender.login.toLowerCase() === botLogin.toLowerCase()) return { kind: 'ignored', reason: 'caused by our own bot' };
  const chat = repo; // GitHub's canonical owner/name, used again to reply
  const base = (issue: GhIssue, author: GhUser | undefined): Pick<IncomingMessage, 'connectionId' | 'chatId' | 'threadId' | 'sender' | 'attachments' | 'conversationMetadata'> => ({
    connectionId,
    chatId: chat,
    threadId: String(issue.number),
    sender: { id: String(author?.id ?? author?.login ?? 'unknown'), username: author?.login, isBot: author?.type === 'Bot' },
    attachments: [],
    conversationMetadata: { priority: priorityOf(issue.labels), title: issue.title, url: issue.html_url, kind: issue.pull_request ? 'pull_request' : 'issue' },
  });

  switch (e.event) {
    case 'issues': {
      if (p.action !== 'opened' || !p.issue) return { kind: 'ignored', reason: `issues.${p.action} is not handled` };
      const i = p.issue;
      const labels = (i.labels ?? []).map((l) => (typeof l === 'string' ? l : l.name));
      const text = [`New issue #${i.number} in ${repo} by @${i.user?.login}: ${i.title}`, labels.length ? `Labels: ${labels.join(', ')}` : '', i.body ?? '(no description)']
        .filter(Boolean)
        .join('\n\n');
      return { kind: 'message', message: { ...base(i, i.user), text, externalMessageId: `issue:${i.number}`, context: { kind: 'issue_opened', repo, number: i.number } } };
    }
    case 'issue_comment': {
      if (p.action !== 'created' || !p.issue || !p.comment) return { kind: 'ignored', reason: `issue_comment.${p.action} is not handled` };
      const handle = handleOf(botLogin);
      const mention = new RegExp(`(^|[^\\w-])@${handle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\[bot\\])?(?![\\w-])`, 'i');
      if (!mention.test(p.comment.body ?? '')) return { kind: 'ignored', reason: 'comment does not mention the bot' };
      const i = p.issue;
      const text = `@${p.comment.user?.login} commented on #${i.number} (${i.title}):\n\n${p.comment.body ?? ''}`;
      return {
        kind: 'message',
        message: { ...base(i, p.comment.user), text, externalMessageId: `comment:${p.comment.id}`, context: { kind: 'mention', repo, number: i.number } },
      };
    }
    case 'pull_request': {
      const pr = p.pull_request;
      if (!pr || !['opened', 'synchronize', 'ready_for_review'].includes(p.action ?? '')) return { kind: 'ignored', reason: `pull_request.${p.action} is not handled` };
      if (pr.draft) return { kind: 'ignored', reason: 'draft pull request (reviewed when ready)' };
      if (!files) {
        const [owner, name] = repo.split('/');
        return { kind: 'needs-files', owner, repo: name, number: pr.number };
      }
      let budget = MAX_DIFF_TOTAL;
      const listed = files.slice(0, MAX_FILES).map((f) => {
        const patch = (f.patch ?? '').slice(0, Math.min(MAX_PATCH, Math.max(0, budget)));
        budget -= patch.length;
        return `- ${f.filename} (${f.status}, +${f.additions} −${f.deletions})${patch ? `\n\`\`\`diff\n${patch}\n\`\`\`` : ''}`;
      });
      const more = files.length > MAX_FILES ? `\n…and ${files.length - MAX_FILES} more files` : '';
      const verb = p.action === 'synchronize' ? 'updated' : p.action === 'ready_for_review' ? 'marked ready for review' : 'opened';
      const text = `Pull request #${pr.number} in ${repo} ${verb} by @${pr.user?.login}: ${pr.title}\n\n${pr.body ?? '(no description)'}\n\nChanged files (${files.length}):\n${listed.join('\n')}${more}`;
      return {
        kind: 'message',
        message: {
          ...base({ ...pr, pull_request: {} }, pr.user),
          text,
          externalMessageId: `pr:${pr.number}:${pr.head?.sha ?? p.action}`,
          context: { kind: 'pull_request', repo, number: pr.number },
        },
      };
    }
    case 'push': {
      const branch = p.repository?.default_branch;
      if (!branch || p.ref !== `refs/heads/${branch}`) return { kind: 'ignored', reason: 'push to a branch other than the default' };
      return {
        kind: 'publish',
        type: 'github.push',
        data: {
          repository: repo,
          ref: p.ref,
          before: p.before,
          after: p.after,
          compare: p.compare,
          pusher: p.pusher?.name ?? p.sender?.login,
          commits: (p.commits ?? []).slice(0, 20).map((c) => ({ id: c.id, message: c.message.slice(0, 500), author: c.author?.name })),
          commit_count: (p.commits ?? []).length,
        },
      };
    }
    case 'release': {
      if (p.action !== 'published' || !p.release) return { kind: 'ignored', reason: `release.${p.action} is not handled` };
      const r = p.release;
      return {
        kind: 'publish',
        type: 'github.release',
        data: { repository: repo, tag: r.tag_name, name: r.name, url: r.html_url, prerelease: r.prerelease ?? false, author: r.author?.login },
      };
    }
    default:
      return { kind: 'ignored', reason: `${e.event} events are not handled` };
  }
}
