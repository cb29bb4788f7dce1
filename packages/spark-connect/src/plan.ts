/**
 * Builders for plan messages. A DataFrame is an immutable {@link Relation} tree; every node gets
 * a session-unique `plan_id` as Spark's own clients assign.
 */
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { type Plan, PlanSchema } from './gen/spark/connect/base_pb.js';
import { type Command, CommandSchema } from './gen/spark/connect/commands_pb.js';
import { type Expression, ExpressionSchema } from './gen/spark/connect/expressions_pb.js';
import { type Relation, RelationSchema } from './gen/spark/connect/relations_pb.js';

type RelType = MessageInitShape<typeof RelationSchema>['relType'];

/** Hands out plan ids; one per session. */
export class PlanIds {
  #next = 0n;
  next(): bigint {
    return this.#next++;
  }
}

export function relation(ids: PlanIds, relType: RelType): Relation {
  return create(RelationSchema, { common: { planId: ids.next() }, relType });
}

export function rootPlan(root: Relation): Plan {
  return create(PlanSchema, { opType: { case: 'root', value: root } });
}

export function commandPlan(command: MessageInitShape<typeof CommandSchema>['commandType']): Plan {
  const value: Command = create(CommandSchema, { commandType: command });
  return create(PlanSchema, { opType: { case: 'command', value } });
}

/** A column by name (`a`, `t.a`, `` `odd name` ``); `*` and `t.*` become a star. */
export function columnExpression(name: string): Expression {
  if (name === '*') return create(ExpressionSchema, { exprType: { case: 'unresolvedStar', value: {} } });
  if (name.endsWith('.*')) return create(ExpressionSchema, { exprType: { case: 'unresolvedStar', value: { unparsedTarget: name } } });
  return create(ExpressionSchema, { exprType: { case: 'unresolvedAttribute', value: { unparsedIdentifier: name } } });
}

/** A SQL expression the server parses (`a + 1 AS b`, `x > 3`). */
export function sqlExpression(expression: string): Expression {
  return create(ExpressionSchema, { exprType: { case: 'expressionString', value: { expression } } });
}
