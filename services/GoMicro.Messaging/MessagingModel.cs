using GoMicro.Messaging.Inbox;
using GoMicro.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace GoMicro.Messaging;

public static class MessagingModel
{
    /// <summary>Adds the outbox_messages and inbox_messages tables to a service's own database.</summary>
    public static ModelBuilder AddOutboxAndInbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable("outbox_messages");
            outbox.HasKey(m => m.Id).HasName("PK_outbox_messages");
            outbox.Property(m => m.Id).HasColumnName("id");
            outbox.Property(m => m.Type).HasColumnName("type").HasMaxLength(200);
            outbox.Property(m => m.Payload).HasColumnName("payload");
            outbox.Property(m => m.CorrelationId).HasColumnName("correlation_id").HasMaxLength(100);
            outbox.Property(m => m.TraceParent).HasColumnName("traceparent").HasMaxLength(100);
            outbox.Property(m => m.TraceState).HasColumnName("tracestate").HasMaxLength(500);
            outbox.Property(m => m.OccurredAt).HasColumnName("occurred_at");
            outbox.Property(m => m.SentAt).HasColumnName("sent_at");
            // The dispatcher's query: unsent rows, oldest first.
            outbox.HasIndex(m => m.OccurredAt).HasFilter("sent_at IS NULL").HasDatabaseName("ix_outbox_messages_unsent");
        });

        modelBuilder.Entity<InboxMessage>(inbox =>
        {
            inbox.ToTable("inbox_messages");
            inbox.HasKey(m => new { m.MessageId, m.Consumer }).HasName("PK_inbox_messages");
            inbox.Property(m => m.MessageId).HasColumnName("message_id");
            inbox.Property(m => m.Consumer).HasColumnName("consumer").HasMaxLength(200);
            inbox.Property(m => m.Type).HasColumnName("type").HasMaxLength(200);
            inbox.Property(m => m.HandledAt).HasColumnName("handled_at");
        });
        return modelBuilder;
    }
}
