import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator';
import { ApiErrors, ApiPageResponse } from '../common/api-docs';
import { TeamWrite } from '../common/decorators';
import { Page, PageQuery } from '../common/pagination';
import { IdParam } from '../common/params';
import { CreateJobDto, JobRunListQuery, UpdateJobDto } from './dto/job.dto';
import { JobResponse, JobRunResponse } from './dto/job-response.dto';
import { JobRunView, JobView, JobsService } from './jobs.service';

/** Scheduled agent jobs: members read, owners and admins (or a key with `write`) change and run them. */
@ApiTags('jobs')
@ApiBearerAuth()
@Controller('v1/teams/:teamId/agents/:agentId/jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @TeamWrite()
  @Post()
  @Audited({ action: 'job.created', targetType: 'job' })
  @ApiOperation({
    summary: 'Create a scheduled job (owner/admin)',
    description: 'At each occurrence of `schedule` (cron, in `timezone`) a worker asks the agent `prompt` and sends the reply to `deliverTo`; `job.completed` or `job.failed` fires.',
  })
  @ApiCreatedResponse({ type: JobResponse })
  @ApiErrors(400, 401, 403, 404)
  create(@IdParam('teamId', 'team') teamId: string, @IdParam('agentId', 'agent') agentId: string, @Body() dto: CreateJobDto): Promise<JobView> {
    return this.jobs.create(teamId, agentId, dto);
  }

  @Get()
  @ApiOperation({ summary: "List an agent's scheduled jobs" })
  @ApiPageResponse(JobResponse)
  @ApiErrors(400, 401, 404)
  list(@IdParam('teamId', 'team') teamId: string, @IdParam('agentId', 'agent') agentId: string, @Query() query: PageQuery): Promise<Page<JobView>> {
    return this.jobs.list(teamId, agentId, query);
  }

  @Get(':jobId')
  @ApiOperation({ summary: 'Get a scheduled job' })
  @ApiOkResponse({ type: JobResponse })
  @ApiErrors(401, 404)
  get(@IdParam('teamId', 'team') teamId: string, @IdParam('agentId', 'agent') agentId: string, @IdParam('jobId', 'job') jobId: string): Promise<JobView> {
    return this.jobs.get(teamId, agentId, jobId);
  }

  @TeamWrite()
  @Patch(':jobId')
  @Audited({ action: 'job.updated', targetType: 'job', idParam: 'jobId' })
  @ApiOperation({ summary: 'Change a scheduled job (owner/admin)', description: 'A new schedule or time zone, or `enabled: true`, counts the next occurrence from now.' })
  @ApiOkResponse({ type: JobResponse })
  @ApiErrors(400, 401, 403, 404)
  update(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @IdParam('jobId', 'job') jobId: string,
    @Body() dto: UpdateJobDto,
  ): Promise<JobView> {
    return this.jobs.update(teamId, agentId, jobId, dto);
  }

  @TeamWrite()
  @Delete(':jobId')
  @HttpCode(204)
  @Audited({ action: 'job.deleted', targetType: 'job', idParam: 'jobId' })
  @ApiOperation({ summary: 'Delete a scheduled job with its runs (owner/admin)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  remove(@IdParam('teamId', 'team') teamId: string, @IdParam('agentId', 'agent') agentId: string, @IdParam('jobId', 'job') jobId: string): Promise<void> {
    return this.jobs.remove(teamId, agentId, jobId);
  }

  @TeamWrite()
  @Post(':jobId/run')
  @HttpCode(202)
  @Audited({ action: 'job.run_requested', targetType: 'job', idParam: 'jobId', after: false })
  @ApiOperation({
    summary: 'Run a job now (owner/admin)',
    description: 'Also for a disabled job. The run is `pending` until a worker takes it (within about a second); follow it with GET …/runs/{runId}.',
  })
  @ApiAcceptedResponse({ type: JobRunResponse })
  @ApiErrors(401, 403, 404, [409, 'The agent is not active'])
  run(@IdParam('teamId', 'team') teamId: string, @IdParam('agentId', 'agent') agentId: string, @IdParam('jobId', 'job') jobId: string): Promise<JobRunView> {
    return this.jobs.runNow(teamId, agentId, jobId);
  }

  @Get(':jobId/runs')
  @ApiOperation({ summary: "A job's runs: status, reply, error, duration" })
  @ApiPageResponse(JobRunResponse)
  @ApiErrors(400, 401, 404)
  runs(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @IdParam('jobId', 'job') jobId: string,
    @Query() query: JobRunListQuery,
  ): Promise<Page<JobRunView>> {
    return this.jobs.listRuns(teamId, agentId, jobId, query);
  }

  @Get(':jobId/runs/:runId')
  @ApiOperation({ summary: 'Get one run of a job' })
  @ApiOkResponse({ type: JobRunResponse })
  @ApiErrors(401, 404)
  getRun(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @IdParam('jobId', 'job') jobId: string,
    @IdParam('runId', 'job run') runId: string,
  ): Promise<JobRunView> {
    return this.jobs.getRun(teamId, agentId, jobId, runId);
  }
}
