/** @module ops/create-groups — `POST /v1.0/{project_id}/queues/{queue_id}/groups`. */
import type { DmsOp } from '../context.js';
import { DmsCode, dmsError } from '../errors.js';
import { isObject, jsonResponse, parseJsonBody } from '../json.js';

const NAME = /^[A-Za-z0-9_-]+$/;

/** Most groups one request may create. */
export const MAX_GROUPS_PER_REQUEST = 3;

/** Creates 1..3 consumer groups, all or nothing: 201 `{groups: [{id, name}]}`. */
export const createGroups: DmsOp = (context, call) => {
  const queue = context.registry.queue(call.project, call.queueId);
  const body = parseJsonBody(call.request.body, context.options.maxJsonDepth);
  if (!isObject(body)) throw dmsError(DmsCode.InvalidBody);
  const { groups } = body;
  if (!Array.isArray(groups) || groups.length === 0) {
    throw dmsError(DmsCode.InvalidBody, 'groups must be a non-empty array of {"name": ...}.');
  }
  if (groups.length > MAX_GROUPS_PER_REQUEST) {
    throw dmsError(
      DmsCode.TooManyGroups,
      `At most ${MAX_GROUPS_PER_REQUEST} consumer groups can be created at a time.`,
    );
  }
  const names = groups.map((entry: unknown) => {
    const { name } = isObject(entry) ? entry : {};
    if (typeof name !== 'string' || name.length < 1 || name.length > 32)
      throw dmsError(DmsCode.GroupNameLength);
    if (!NAME.test(name)) throw dmsError(DmsCode.InvalidName);
    return name;
  });
  const created = context.registry.createGroups(queue, names, context.options.maxGroupsPerQueue);
  return jsonResponse(201, JSON.stringify({ groups: created.map((g) => ({ id: g.id, name: g.name })) }));
};
