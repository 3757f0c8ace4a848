/**
 * The per-table data path of DUMP and RESTORE: tables copied out of one exported snapshot into
 * {@code COPY} text files on the disk, each file's row count and checksum computed while it
 * streams, and loaded into the target by workers as soon as DUMP hands each file over.
 */
package io.pgshuttle.agent.transfer;
