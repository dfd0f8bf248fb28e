using System.Buffers;
using System.Runtime.ExceptionServices;
using Marketplace.Chat.Diagnostics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Marketplace.Chat.Hubs;

/// <summary>
/// SignalR's protocol resolver, with every registered protocol wrapped in <see cref="ArgumentCheckingProtocol"/>. Without it
/// a malformed GUID or an out-of-range number in a hub argument fails while binding, before any filter runs, and the client
/// gets SignalR's uncoded "Failed to invoke 'Send' due to an error on the server."; with it the client gets
/// <c>HubException: InvalidArgument: …</c> like every other refusal. Resolution is SignalR's: by name, the last
/// registration of a name wins, restricted to a hub's supported protocols when it lists them.
/// </summary>
internal sealed class ChatHubProtocolResolver : IHubProtocolResolver
{
    private readonly Dictionary<string, IHubProtocol> _byName = new(StringComparer.OrdinalIgnoreCase);

    public ChatHubProtocolResolver(IEnumerable<IHubProtocol> protocols, ChatMetrics metrics, RefusalLog log)
    {
        foreach (var protocol in protocols)
        {
            _byName[protocol.Name] = new ArgumentCheckingProtocol(protocol, metrics, log);
        }

        AllProtocols = [.. _byName.Values];
    }

    public IReadOnlyList<IHubProtocol> AllProtocols { get; }

    public IHubProtocol? GetProtocol(string protocolName, IReadOnlyList<string>? supportedProtocols) =>
        _byName.TryGetValue(protocolName, out var protocol)
        && (supportedProtocols is null || supportedProtocols.Contains(protocolName, StringComparer.OrdinalIgnoreCase))
            ? protocol
            : null;

    /// <summary>Delegates to the real protocol and turns an argument binding failure into a coded refusal.</summary>
    private sealed class ArgumentCheckingProtocol(IHubProtocol inner, ChatMetrics metrics, RefusalLog log) : IHubProtocol
    {
        public string Name => inner.Name;

        public int Version => inner.Version;

        public TransferFormat TransferFormat => inner.TransferFormat;

        public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HubMessage? message)
        {
            if (!inner.TryParseMessage(ref input, binder, out message))
            {
                return false;
            }

            if (message is InvocationBindingFailureMessage failure && failure.BindingFailure.SourceException is not HubException)
            {
                metrics.Refused(ChatErrorCode.InvalidArgument);
                log.Refused(failure.Target, ChatErrorCode.InvalidArgument);
                var refusal = new ChatHubException(
                    $"{ChatErrorCode.InvalidArgument}: The arguments do not match the parameters of '{failure.Target}' (a malformed GUID, a number out of range or a wrong count).");
                message = new InvocationBindingFailureMessage(failure.InvocationId, failure.Target, ExceptionDispatchInfo.Capture(refusal));
            }

            return true;
        }

        public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

        public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

        public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);
    }
}
