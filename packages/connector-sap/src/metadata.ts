/**
 * `$metadata` (EDMX, V2 or V4) → the entity sets of a service with their entity types: keys,
 * structural properties with their Edm types and facets. Parsed with fast-xml-parser after a
 * validation pass, so a body that is not XML fails with the parser's line and column.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { QueryError } from '@sparkle/core';

/** One structural property. */
export interface EdmProperty {
  name: string;
  /** `Edm.String`, `Edm.Decimal`, `Collection(Edm.String)`, a complex type's qualified name… */
  type: string;
  nullable: boolean;
  precision?: number;
  /** A number, or `variable`/`floating` (V4). */
  scale?: number | string;
  maxLength?: number;
  /** SAP's `sap:display-format` (V2 `Edm.DateTime` with `Date` is a date). */
  displayFormat?: string;
}

/** One entity set and its type. */
export interface EdmEntitySet {
  name: string;
  entityType: string;
  keys: string[];
  properties: EdmProperty[];
}

/** What a service's `$metadata` says. */
export interface EdmModel {
  /** `v2` for EDMX 1.0 (DataServiceVersion 1–3), `v4` for EDMX 4.x. */
  version: 'v2' | 'v4';
  entitySets: Map<string, EdmEntitySet>;
}

type XmlNode = Record<string, unknown>;
const ARRAYS = new Set(['Schema', 'EntityType', 'ComplexType', 'EntityContainer', 'EntitySet', 'Property', 'PropertyRef', 'NavigationProperty']);

const list = (value: unknown): XmlNode[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]) as XmlNode[];
const num = (value: unknown): number | undefined => (value === undefined || value === '' || Number.isNaN(Number(value)) ? undefined : Number(value));

/**
 * Parses an EDMX document.
 * @example
 * const model = parseMetadata(await (await http.request({ path: '$metadata' })).text(), 'sap');
 * model.entitySets.get('Books')?.properties;
 */
export function parseMetadata(xml: string, connector: string): EdmModel {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new QueryError(`${connector}: $metadata is not well-formed XML (line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}); check that baseUrl is the OData service root`, { connector });
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    removeNSPrefix: true,
    // Entities are not needed for types and names; not expanding them keeps a hostile DOCTYPE inert.
    processEntities: false,
    parseAttributeValue: false,
    isArray: (name) => ARRAYS.has(name),
  });
  const doc = parser.parse(xml) as XmlNode;
  const edmx = doc.Edmx as XmlNode | undefined;
  const data = edmx?.DataServices as XmlNode | undefined;
  if (!edmx || !data) throw new QueryError(`${connector}: $metadata has no edmx:Edmx/edmx:DataServices element; is baseUrl the OData service root?`, { connector });
  const version = String(edmx.Version ?? '').startsWith('4') ? 'v4' : 'v2';
  const types = new Map<string, { keys: string[]; properties: EdmProperty[] }>();
  const sets: Array<{ name: string; type: string }> = [];
  for (const schema of list(data.Schema)) {
    const ns = String(schema.Namespace ?? '');
    const alias = schema.Alias ? String(schema.Alias) : undefined;
    for (const et of list(schema.EntityType)) {
      const keys = list((et.Key as XmlNode | undefined)?.PropertyRef).map((r) => String(r.Name));
      const properties = list(et.Property).map((p) => ({
        name: String(p.Name),
        type: String(p.Type),
        nullable: String(p.Nullable ?? 'true') !== 'false',
        ...(num(p.Precision) !== undefined ? { precision: num(p.Precision)! } : {}),
        ...(p.Scale !== undefined ? { scale: num(p.Scale) ?? String(p.Scale) } : {}),
        ...(num(p.MaxLength) !== undefined ? { maxLength: num(p.MaxLength)! } : {}),
        ...(p['display-format'] !== undefined ? { displayFormat: String(p['display-format']) } : {}),
      }));
      const entry = { keys, properties };
      types.set(`${ns}.${String(et.Name)}`, entry);
      if (alias) types.set(`${alias}.${String(et.Name)}`, entry);
    }
    for (const container of list(schema.EntityContainer)) {
      for (const set of list(container.EntitySet)) sets.push({ name: String(set.Name), type: String(set.EntityType) });
    }
  }
  const entitySets = new Map<string, EdmEntitySet>();
  for (const set of sets) {
    const type = types.get(set.type);
    if (!type) throw new QueryError(`${connector}: $metadata names entity type ${set.type} for entity set ${set.name} but does not define it`, { connector });
    entitySets.set(set.name, { name: set.name, entityType: set.type, keys: type.keys, properties: type.properties });
  }
  return { version, entitySets };
}
