import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-docs';
import { IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { TeamWrite } from '../../common/decorators';
import { Forbidden, NotFound, Unprocessable, UpstreamUnavailable, ValidationFailed } from '../../common/errors';
import { IdParam } from '../../common/params';
import { ConnectionsService } from '../../connections/connections.service';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import { GitHubClientFactory, isAppCredentials } from './github-client.factory';
import {
  GitHubCreatedCommentResponse,
  GitHubCreatedIssueResponse,
  GitHubIssueResponse,
  GitHubPullResponse,
  GitHubRepoResponse,
} from './dto/github-response.dto';
import { Audited } from '../../audit/audited.decorator';

export class CreateIssueDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(256) title: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(65000) body?: string;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @IsString({ each: true }) labels?: string[];
}
export class CreateCommentDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(65000) body: string;
}
export class ListQuery {
  @ApiPropertyOptional({ enum: ['open', 'closed', 'all'] })
  @IsOptional()
  @IsIn(['open', 'closed', 'all'], { message: 'state must be one of: open, closed, all' })
  state?: 'open' | 'closed' | 'all';
}

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** Team admins act on the repositories a GitHub connection can see (Octokit with baseUrl = GITHUB_API_URL). */
@ApiTags('github')
@ApiBearerAuth()
@Controller('v1/teams/:teamId/connections/:connectionId/github')
export class GitHubReposController {
  constructor(
    private readonly connections: ConnectionsService,
    private readonly clients: GitHubClientFactory,
  ) {}

  @Get('repos')
  @ApiOperation({ summary: 'List the repositories a GitHub connection can see', description: 'Limited to `settings.repositories` when set.' })
  @ApiOkResponse({ type: [GitHubRepoResponse] })
  @ApiErrors(401, [403, 'GitHub refused (the scope it needs is named)'], [404, 'No such GitHub connection or repository visible to it'], [422, "GitHub rejected the connection's credentials"], [502, 'GitHub could not be reached or failed'])
  async repos(@IdParam('teamId', 'team') teamId: string, @IdParam('connectionId', 'connection') id: string): Promise<GitHubRepoResponse[]> {
    const { conn, octokit, creds } = await this.client(teamId, id);
    const allowed = (conn.settings.repositories as string[] | undefined) ?? [];
    const repos = await this.call(async () =>
      isAppCredentials(creds)
        ? (await octokit.rest.apps.listReposAccessibleToInstallation({ per_page: 100 })).data.repositories
        : (await octokit.rest.repos.listForAuthenticatedUser({ per_page: 100 })).data,
    );
    return repos
      .filter((r) => !allowed.length || allowed.includes(r.full_name.toLowerCase()))
      .map((r) => ({ fullName: r.full_name, private: r.private, defaultBranch: r.default_branch, htmlUrl: r.html_url }));
  }

  @Get('repos/:owner/:repo/issues')
  @ApiOperation({ summary: 'List the issues of a repository (without pull requests)' })
  @ApiOkResponse({ type: [GitHubIssueResponse] })
  @ApiErrors(400, 401, [403, 'GitHub refused (the scope it needs is named)'], [404, 'No such GitHub connection or repository visible to it'], [422, "GitHub rejected the connection's credentials"], [502, 'GitHub could not be reached or failed'])
  async issues(@IdParam('teamId', 'team') teamId: string, @IdParam('connectionId', 'connection') id: string, @Param('owner') owner: string, @Param('repo') repo: string, @Query() q: ListQuery): Promise<GitHubIssueResponse[]> {
    const { octokit } = await this.client(teamId, id, owner, repo);
    const data = await this.call(async () => (await octokit.rest.issues.listForRepo({ owner, repo, state: q.state ?? 'open', per_page: 100 })).data);
    return data.filter((i) => !i.pull_request).map((i) => ({ number: i.number, title: i.title, state: i.state, author: i.user?.login, labels: i.labels.map((l) => (typeof l === 'string' ? l : l.name)), htmlUrl: i.html_url }));
  }

  @Get('repos/:owner/:repo/pulls')
  @ApiOperation({ summary: 'List the pull requests of a repository' })
  @ApiOkResponse({ type: [GitHubPullResponse] })
  @ApiErrors(400, 401, [403, 'GitHub refused (the scope it needs is named)'], [404, 'No such GitHub connection or repository visible to it'], [422, "GitHub rejected the connection's credentials"], [502, 'GitHub could not be reached or failed'])
  async pulls(@IdParam('teamId', 'team') teamId: string, @IdParam('connectionId', 'connection') id: string, @Param('owner') owner: string, @Param('repo') repo: string, @Query() q: ListQuery): Promise<GitHubPullResponse[]> {
    const { octokit } = await this.client(teamId, id, owner, repo);
    const data = await this.call(async () => (await octokit.rest.pulls.list({ owner, repo, state: q.state ?? 'open', per_page: 100 })).data);
    return data.map((p) => ({ number: p.number, title: p.title, state: p.state, draft: p.draft ?? false, author: p.user?.login, htmlUrl: p.html_url }));
  }

  @TeamWrite()
  @Post('repos/:owner/:repo/issues')
  @Audited({ action: 'github_issue.created', targetType: 'github_issue', idField: 'number' })
  @ApiOperation({ summary: 'Create an issue (owner/admin)' })
  @ApiCreatedResponse({ type: GitHubCreatedIssueResponse })
  @ApiErrors([400, 'Invalid input, or GitHub rejected the request (422 from GitHub)'], 401, [403, 'Not an owner/admin, or GitHub refused (the scope it needs is named)'], [404, 'No such GitHub connection or repository visible to it'], [422, "GitHub rejected the connection's credentials"], [502, 'GitHub could not be reached or failed'])
  async createIssue(@IdParam('teamId', 'team') teamId: string, @IdParam('connectionId', 'connection') id: string, @Param('owner') owner: string, @Param('repo') repo: string, @Body() dto: CreateIssueDto): Promise<GitHubCreatedIssueResponse> {
    const { octokit } = await this.client(teamId, id, owner, repo);
    const i = await this.call(async () => (await octokit.rest.issues.create({ owner, repo, title: dto.title, body: dto.body, labels: dto.labels })).data);
    return { number: i.number, title: i.title, htmlUrl: i.html_url };
  }

  @TeamWrite()
  @Post('repos/:owner/:repo/issues/:number/comments')
  @Audited({ action: 'github_comment.created', targetType: 'github_comment' })
  @ApiOperation({ summary: 'Comment on an issue or pull request (owner/admin)' })
  @ApiCreatedResponse({ type: GitHubCreatedCommentResponse })
  @ApiErrors([400, 'Invalid input, or GitHub rejected the request (422 from GitHub)'], 401, [403, 'Not an owner/admin, or GitHub refused (the scope it needs is named)'], [404, 'No such GitHub connection or repository visible to it'], [422, "GitHub rejected the connection's credentials"], [502, 'GitHub could not be reached or failed'])
  async comment(@IdParam('teamId', 'team') teamId: string, @IdParam('connectionId', 'connection') id: string, @Param('owner') owner: string, @Param('repo') repo: string, @Param('number') number: string, @Body() dto: CreateCommentDto): Promise<GitHubCreatedCommentResponse> {
    if (!/^\d{1,10}$/.test(number)) throw new ValidationFailed('number must be an issue or pull request number', [{ field: 'number', messages: ['must be a positive integer'] }]);
    const { octokit } = await this.client(teamId, id, owner, repo);
    const c = await this.call(async () => (await octokit.rest.issues.createComment({ owner, repo, issue_number: Number(number), body: dto.body })).data);
    return { id: c.id, htmlUrl: c.html_url };
  }

  private async client(teamId: string, connectionId: string, owner?: string, repo?: string) {
    const conn = await this.connections.findById(connectionId);
    if (!conn || conn.teamId !== teamId || conn.platform !== 'github') throw new NotFound('GitHub connection');
    if (owner !== undefined && repo !== undefined) {
      if (!NAME.test(owner) || !NAME.test(repo)) throw new NotFound('repository');
      const allowed = (conn.settings.repositories as string[] | undefined) ?? [];
      if (allowed.length && !allowed.includes(`${owner}/${repo}`.toLowerCase())) throw new NotFound('repository (not in this connection\'s settings.repositories)');
    }
    const creds = await this.connections.credentialsOf(conn);
    return { conn: conn as PlatformConnection, creds, octokit: this.clients.client(creds) };
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const err = e as { status?: number; response?: { headers?: Record<string, string | undefined>; data?: { message?: string } } };
      const message = err.response?.data?.message ?? 'error';
      if (err.status === 404) throw new NotFound('repository (or issue) — not visible to this connection');
      if (err.status === 403) {
        const scopes = err.response?.headers?.['x-accepted-oauth-scopes'];
        throw new Forbidden(`GitHub refused: ${message}${scopes ? ` (needs scope: ${scopes})` : ' (the token or App lacks a permission)'}`);
      }
      if (err.status === 401) throw new Unprocessable(`GitHub rejected the connection's credentials: ${message}`);
      if (err.status === 422) throw new ValidationFailed(`GitHub rejected the request: ${message}`);
      throw new UpstreamUnavailable(`GitHub could not be reached or failed (${err.status ?? 'network error'})`);
    }
  }
}
