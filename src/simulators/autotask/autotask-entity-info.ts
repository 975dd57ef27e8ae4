/**
 * What the simulated database says about its entities at `{Entity}/entityInformation/fields`
 * (reference §3, §3.1): each field's type, and for picklist fields the values of THIS instance.
 * Picklist codes differ from one Autotask database to the next, so the codes here are deliberately
 * not the "usual" ones: a client that hard-codes `publish: 1` or `status: 5` writes the wrong thing.
 *
 * The same definitions type-check the query filters (autotask-filter.ts), so a filter on a field
 * the entity does not have fails the same way whether or not any row holds it.
 */
export type AutotaskDataType = 'integer' | 'long' | 'short' | 'double' | 'string' | 'boolean' | 'datetime';

export type AutotaskFieldDef = {
  name: string;
  dataType: AutotaskDataType;
  length?: number;
  isRequired?: boolean;
  isReadOnly?: boolean;
  /** The picklist's key in `AutotaskPicklists`, e.g. `Tickets.status`. */
  picklist?: string;
  referenceEntityType?: string;
};

export type PicklistValue = {
  value: string;
  label: string;
  isDefaultValue: boolean;
  sortOrder: number;
  parentValue: string;
  isActive: boolean;
  isSystem: boolean;
};

/** Picklists of one database, by `{Entity}.{field}`. */
export type AutotaskPicklists = Record<string, PicklistValue[]>;

export const ENTITY_NAMES = ['Tickets', 'TicketNotes', 'Companies', 'Contacts', 'Resources'] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];

const f = (name: string, dataType: AutotaskDataType, extra: Omit<AutotaskFieldDef, 'name' | 'dataType'> = {}): AutotaskFieldDef => ({
  name,
  dataType,
  ...extra,
});

export const ENTITY_FIELDS: Record<EntityName, AutotaskFieldDef[]> = {
  Tickets: [
    f('id', 'long', { isReadOnly: true }),
    f('ticketNumber', 'string', { length: 50, isReadOnly: true }),
    f('title', 'string', { length: 255, isRequired: true }),
    f('description', 'string', { length: 8000 }),
    f('status', 'integer', { isRequired: true, picklist: 'Tickets.status' }),
    f('priority', 'integer', { isRequired: true, picklist: 'Tickets.priority' }),
    f('queueID', 'integer', { picklist: 'Tickets.queueID' }),
    f('companyID', 'integer', { isRequired: true, referenceEntityType: 'Company' }),
    f('contactID', 'integer', { referenceEntityType: 'Contact' }),
    f('companyLocationID', 'integer'),
    f('assignedResourceID', 'integer', { referenceEntityType: 'Resource' }),
    f('assignedResourceRoleID', 'integer'),
    f('issueType', 'integer'),
    f('subIssueType', 'integer'),
    f('ticketType', 'integer', { picklist: 'Tickets.ticketType' }),
    f('ticketCategory', 'integer'),
    f('source', 'integer'),
    f('dueDateTime', 'datetime'),
    f('createDate', 'datetime', { isReadOnly: true }),
    f('lastActivityDate', 'datetime', { isReadOnly: true }),
    f('completedDate', 'datetime', { isReadOnly: true }),
    f('configurationItemID', 'integer'),
    f('contractID', 'integer'),
  ],
  TicketNotes: [
    f('id', 'long', { isReadOnly: true }),
    f('ticketID', 'integer', { isRequired: true, referenceEntityType: 'Ticket' }),
    f('title', 'string', { length: 250 }),
    f('description', 'string', { length: 32000, isRequired: true }),
    f('noteType', 'integer', { isRequired: true, picklist: 'TicketNotes.noteType' }),
    f('publish', 'integer', { isRequired: true, picklist: 'TicketNotes.publish' }),
    f('createDateTime', 'datetime', { isReadOnly: true }),
    f('creatorResourceID', 'integer', { isReadOnly: true, referenceEntityType: 'Resource' }),
    f('createdByContactID', 'integer', { isReadOnly: true, referenceEntityType: 'Contact' }),
    f('impersonatorCreatorResourceID', 'integer', { isReadOnly: true, referenceEntityType: 'Resource' }),
    f('lastActivityDate', 'datetime', { isReadOnly: true }),
  ],
  Companies: [
    f('id', 'long', { isReadOnly: true }),
    f('companyName', 'string', { length: 100, isRequired: true }),
    f('companyNumber', 'string', { length: 50 }),
    f('companyType', 'integer', { isRequired: true, picklist: 'Companies.companyType' }),
    f('phone', 'string', { length: 25, isRequired: true }),
    f('fax', 'string', { length: 25 }),
    f('webAddress', 'string', { length: 255 }),
    f('address1', 'string', { length: 150 }),
    f('address2', 'string', { length: 150 }),
    f('city', 'string', { length: 50 }),
    f('state', 'string', { length: 25 }),
    f('postalCode', 'string', { length: 20 }),
    f('countryID', 'integer'),
    f('isActive', 'boolean'),
    f('ownerResourceID', 'integer', { isRequired: true, referenceEntityType: 'Resource' }),
    f('parentCompanyID', 'integer', { referenceEntityType: 'Company' }),
    f('createDate', 'datetime', { isReadOnly: true }),
    f('lastActivityDate', 'datetime', { isReadOnly: true }),
  ],
  Contacts: [
    f('id', 'long', { isReadOnly: true }),
    f('companyID', 'integer', { isRequired: true, referenceEntityType: 'Company' }),
    f('firstName', 'string', { length: 50, isRequired: true }),
    f('lastName', 'string', { length: 50, isRequired: true }),
    f('title', 'string', { length: 50 }),
    f('emailAddress', 'string', { length: 254 }),
    f('emailAddress2', 'string', { length: 254 }),
    f('emailAddress3', 'string', { length: 254 }),
    f('phone', 'string', { length: 25 }),
    f('extension', 'string', { length: 10 }),
    f('mobilePhone', 'string', { length: 25 }),
    f('alternatePhone', 'string', { length: 32 }),
    // An integer 0/1 here, unlike Companies.isActive (reference §3.1).
    f('isActive', 'integer', { isRequired: true }),
    f('primaryContact', 'boolean'),
    f('createDate', 'datetime', { isReadOnly: true }),
    f('lastActivityDate', 'datetime', { isReadOnly: true }),
  ],
  Resources: [
    f('id', 'long', { isReadOnly: true }),
    f('userName', 'string', { length: 32, isRequired: true }),
    f('firstName', 'string', { length: 50, isRequired: true }),
    f('lastName', 'string', { length: 50, isRequired: true }),
    f('email', 'string', { length: 254, isRequired: true }),
    f('email2', 'string', { length: 254 }),
    f('email3', 'string', { length: 254 }),
    f('officePhone', 'string', { length: 25 }),
    f('mobilePhone', 'string', { length: 25 }),
    f('isActive', 'boolean', { isRequired: true }),
    f('resourceType', 'string', { length: 15 }),
    f('licenseType', 'integer', { isReadOnly: true, picklist: 'Resources.licenseType' }),
  ],
};

/** A field by name, as Autotask matches field names: case-insensitively (reference §6). */
export function findField(entity: EntityName, name: string): AutotaskFieldDef | undefined {
  const lower = name.toLowerCase();
  return ENTITY_FIELDS[entity].find((field) => field.name.toLowerCase() === lower);
}

/** `GET {Entity}/entityInformation/fields` */
export function fieldInformation(entity: EntityName, picklists: AutotaskPicklists) {
  return {
    fields: ENTITY_FIELDS[entity].map((field) => ({
      name: field.name,
      dataType: field.dataType,
      length: field.length ?? 0,
      isRequired: field.isRequired ?? false,
      isReadOnly: field.isReadOnly ?? false,
      isQueryable: true,
      isReference: field.referenceEntityType !== undefined,
      referenceEntityType: field.referenceEntityType ?? '',
      isPickList: field.picklist !== undefined,
      picklistValues: field.picklist ? (picklists[field.picklist] ?? []) : null,
      picklistParentValueField: '',
      isSupportedWebhookField: false,
    })),
  };
}

/** `GET {Entity}/entityInformation` */
export function entityInformation(entity: EntityName) {
  return {
    info: {
      name: entity.replace(/s$/, '').replace(/ie$/, 'y'),
      canCreate: entity === 'Tickets' || entity === 'TicketNotes' || entity === 'Companies' || entity === 'Contacts',
      canDelete: false,
      canQuery: true,
      canUpdate: entity !== 'Resources',
      hasUserDefinedFields: entity === 'Tickets' || entity === 'Companies' || entity === 'Contacts',
      supportsWebhookCallouts: entity !== 'Resources',
    },
  };
}

export const picklistValue = (value: number | string, label: string, extra: Partial<PicklistValue> = {}): PicklistValue => ({
  value: String(value),
  label,
  isDefaultValue: false,
  sortOrder: 0,
  parentValue: '',
  isActive: true,
  isSystem: false,
  ...extra,
});
