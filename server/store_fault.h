/* store_fault.h — fault injection for the store's tests.
 *
 * Owns the parsing and counting of SINIAN_STORE_FAULT, a test's order to
 * make chosen statements fail: "name:nth[:count]", several joined by ",".
 * The nth execution (from 1) of the statement called name in the store_sql
 * tables ("order.order_item_insert"), or of any statement for "*", and
 * the count-1 executions after it (count 1 by default), fail as SQLite
 * I/O errors; then the fault is spent and the statement works again.
 * Counts are per connection. Must never be armed by configuration or over
 * the network: only the environment of a test's daemon arms it. Called by
 * store.c only (store_open_with, store_stmt).
 */
#ifndef SINIAN_STORE_FAULT_H
#define SINIAN_STORE_FAULT_H

#include <stdbool.h>

#define STORE_FAULT_ENV "SINIAN_STORE_FAULT"

struct store_fault;

/* The faults spec asks for, or NULL when spec is malformed or names a
 * statement no table holds (logged, so a test that meant to arm notices). */
struct store_fault *store_fault_parse(const char *spec);

/* store_fault_parse() of $SINIAN_STORE_FAULT; NULL when unset or empty. */
struct store_fault *store_fault_from_env(void);

void store_fault_free(struct store_fault *f);

/* Count one execution of sql; true when it must fail (logged). */
bool store_fault_hit(struct store_fault *f, const char *sql);

#endif
