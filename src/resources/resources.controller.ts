import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/decorators/auth.decorators';
import { AccessScope, CurrentScope } from '../auth/organiser/access-scope';
import { ApiAdminErrors, ApiZodBody, ApiZodResponse } from '../common/validation/openapi';
import { ZodValidationPipe } from '../common/validation/zod-validation.pipe';
import {
  CreateResourceInput,
  CreateResourceSchema,
  ResourceListResponseSchema,
  ResourceResponseSchema,
  UpdateResourceInput,
  UpdateResourceSchema,
} from './dto/resource.schemas';
import { ResourcesService } from './resources.service';

@ApiTags('Admin: resources')
@AdminOnly()
@ApiAdminErrors(401)
@Controller('api/v1/admin/resources')
export class ResourcesController {
  constructor(private readonly resources: ResourcesService) {}

  @Post()
  @ApiOperation({ summary: 'Register a model deployment (upstream key is write-only)' })
  @ApiZodBody(CreateResourceSchema)
  @ApiZodResponse(201, ResourceResponseSchema, 'Created')
  @ApiAdminErrors(400, 413)
  create(@Body(new ZodValidationPipe(CreateResourceSchema)) body: CreateResourceInput, @CurrentScope() scope: AccessScope) {
    return this.resources.create(body, scope);
  }

  @Get()
  @ApiOperation({ summary: 'List deployments' })
  @ApiZodResponse(200, ResourceListResponseSchema, 'Resources')
  list(@CurrentScope() scope: AccessScope) {
    return this.resources.list(scope);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a deployment' })
  @ApiZodResponse(200, ResourceResponseSchema, 'The resource')
  @ApiAdminErrors(404)
  get(@Param('id') id: string, @CurrentScope() scope: AccessScope) {
    return this.resources.get(id, scope);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a deployment' })
  @ApiZodBody(UpdateResourceSchema)
  @ApiZodResponse(200, ResourceResponseSchema, 'The updated resource')
  @ApiAdminErrors(400, 404)
  update(@Param('id') id: string, @Body(new ZodValidationPipe(UpdateResourceSchema)) body: UpdateResourceInput, @CurrentScope() scope: AccessScope) {
    return this.resources.update(id, body, scope);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a deployment (detaches it from every event)' })
  @ApiAdminErrors(404)
  async remove(@Param('id') id: string, @CurrentScope() scope: AccessScope): Promise<void> {
    await this.resources.remove(id, scope);
  }
}
