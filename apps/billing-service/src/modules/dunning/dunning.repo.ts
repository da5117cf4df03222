import type { Trx } from '../../db/scope.js';

type Db = Trx;

/** Dunning cases (one per failed invoice) and the notification outbox; callers choose the scope. */
export const dunningRepo = {
  /** Opens a case for a failed invoice; false when one was already open (a repeated failure). */
  async open(
    trx: Db,
    c: {
      invoiceId: string;
      tenantId: string;
      currency: string;
      amountDue: number;
      recipient: string | null;
      graceUntil: Date;
    },
  ): Promise<boolean> {
    const row = await trx
      .insertInto('billing.dunning_cases')
      .values({
        invoice_id: c.invoiceId,
        tenant_id: c.tenantId,
        currency: c.currency,
        amount_due: c.amountDue,
        recipient: c.recipient,
        grace_until: c.graceUntil,
      })
      .onConflict((oc) => oc.column('invoice_id').doNothing())
      .returning('invoice_id')
      .executeTakeFirst();
    return row !== undefined;
  },
  getCase: (trx: Db, invoiceId: string) =>
    trx
      .selectFrom('billing.dunning_cases')
      .selectAll()
      .where('invoice_id', '=', invoiceId)
      .executeTakeFirst(),
  /** Closes the tenant's open cases as recovered; returns the invoices that were open. */
  async recover(trx: Db, tenantId: string, invoiceId: string, amount: number): Promise<string[]> {
    const rows = await trx
      .updateTable('billing.dunning_cases')
      .set({ recovered_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('recovered_at', 'is', null)
      .returning('invoice_id')
      .execute();
    await trx
      .updateTable('billing.dunning_cases')
      .set({ recovered_amount: amount })
      .where('invoice_id', '=', invoiceId)
      .where('recovered_amount', 'is', null)
      .where('recovered_at', 'is not', null)
      .execute();
    return rows.map((r) => r.invoice_id);
  },
  cancelPending: (trx: Db, invoiceIds: string[]) =>
    invoiceIds.length === 0
      ? Promise.resolve()
      : trx
          .updateTable('billing.notifications')
          .set({ status: 'canceled' })
          .where('invoice_id', 'in', invoiceIds)
          .where('status', '=', 'pending')
          .execute(),
  /** Writes one outbox row; null when that reminder was already written. */
  async addNotification(
    trx: Db,
    n: {
      tenantId: string;
      kind: string;
      invoiceId: string | null;
      step: number | null;
      recipient: string | null;
      subject: string;
      body: string;
    },
  ): Promise<string | null> {
    const row = await trx
      .insertInto('billing.notifications')
      .values({
        tenant_id: n.tenantId,
        kind: n.kind,
        invoice_id: n.invoiceId,
        step: n.step,
        recipient: n.recipient,
        subject: n.subject,
        body: n.body,
        status: 'pending',
      })
      .onConflict((oc) => oc.columns(['invoice_id', 'step']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return row?.id ?? null;
  },
  pendingNotification: (trx: Db, id: string) =>
    trx
      .selectFrom('billing.notifications')
      .selectAll()
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst(),
  markSent: (trx: Db, id: string) =>
    trx
      .updateTable('billing.notifications')
      .set({ status: 'sent', sent_at: new Date() })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute(),
};

export type DunningRepo = typeof dunningRepo;
