/**
 * @module apiserver/printers/columns
 * Small constructors for column definitions, so every printer spells the
 * common Name and Age columns the way kube-apiserver does. Pure.
 */
import { DOC } from './descriptions.js';
import type { TableColumnDefinition } from './types.js';

/** A column; `format` is "" unless given, priority 0 unless given. */
export function col(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

/** The Name column (format "name"), as every upstream printer declares it. */
export const NAME_COLUMN: TableColumnDefinition = col('Name', 'string', DOC.objectMetaName, 0, 'name');

/** The Age column (creationTimestamp rendered as a HumanDuration). */
export const AGE_COLUMN: TableColumnDefinition = col('Age', 'string', DOC.objectMetaCreationTimestamp);

/** Wide columns shared by workload controllers. */
export const CONTAINERS_COLUMN: TableColumnDefinition = col('Containers', 'string', 'Names of each container in the template.', 1);
export const IMAGES_COLUMN: TableColumnDefinition = col('Images', 'string', 'Images referenced by each container in the template.', 1);
