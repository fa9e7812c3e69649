import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class GitHubRepoResponse {
  @ApiProperty({ example: 'acme/widgets' }) fullName: string;
  @ApiProperty() private: boolean;
  @ApiProperty({ example: 'main' }) defaultBranch: string;
  @ApiProperty({ example: 'https://github.com/acme/widgets' }) htmlUrl: string;
}

export class GitHubIssueResponse {
  @ApiProperty({ type: 'integer' }) number: number;
  @ApiProperty() title: string;
  @ApiProperty({ example: 'open' }) state: string;
  @ApiPropertyOptional({ description: "The author's login" }) author?: string;
  @ApiProperty({ type: [String] }) labels: (string | undefined)[];
  @ApiProperty() htmlUrl: string;
}

export class GitHubPullResponse {
  @ApiProperty({ type: 'integer' }) number: number;
  @ApiProperty() title: string;
  @ApiProperty({ example: 'open' }) state: string;
  @ApiProperty() draft: boolean;
  @ApiPropertyOptional({ description: "The author's login" }) author?: string;
  @ApiProperty() htmlUrl: string;
}

export class GitHubCreatedIssueResponse {
  @ApiProperty({ type: 'integer' }) number: number;
  @ApiProperty() title: string;
  @ApiProperty() htmlUrl: string;
}

export class GitHubCreatedCommentResponse {
  @ApiProperty({ type: 'integer' }) id: number;
  @ApiProperty() htmlUrl: string;
}
