using System.Diagnostics.Metrics;
using Marketplace.Chat.Diagnostics;

namespace Marketplace.Chat.Attachments;

/// <summary>The attachment feature's instruments, on the chat's meter.</summary>
internal sealed class AttachmentMetrics
{
    private readonly Counter<long> _stored;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _swept;

    public AttachmentMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ChatMetrics.MeterName);
        _stored = meter.CreateCounter<long>("marketplace.chat.attachments.stored", "{attachment}", "Uploads accepted and stored, by kind.");
        _refused = meter.CreateCounter<long>("marketplace.chat.attachments.refused", "{attachment}", "Uploads refused, by code.");
        _swept = meter.CreateCounter<long>("marketplace.chat.attachments.swept", "{attachment}", "Unreferenced uploads removed after their lifetime.");
    }

    public void Stored(AttachmentKind kind, bool metadataRemoved) => _stored.Add(
        1, new KeyValuePair<string, object?>("kind", kind.ToString()), new KeyValuePair<string, object?>("metadata_removed", metadataRemoved));

    public void Refused(ChatErrorCode code) => _refused.Add(1, new KeyValuePair<string, object?>("code", code.ToString()));

    public void Swept(int count) => _swept.Add(count);
}
