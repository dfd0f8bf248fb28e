using System.Security.Cryptography;
using System.Text;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Messages;
using Microsoft.AspNetCore.SignalR;

namespace Marketplace.Chat.LoadGenerator.Server;

/// <summary>
/// The SignalR ceiling: the same hub path, methods and payloads as the package's transaction hub, but Send only wraps
/// the text in a <see cref="ChatMessage"/> and sends it to the conversation's group (sender included, as the package does).
/// No database, no validation, no access checks, no rate limit; the connection is authenticated the same way.
/// </summary>
internal sealed class BareRelayHub : Hub
{
    private static long _sequence;

    public async Task<JoinReply> Join(string transactionId)
    {
        var conversationId = ConversationIdOf(transactionId);
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupName(conversationId), Context.ConnectionAborted).ConfigureAwait(false);
        return new JoinReply(conversationId);
    }

    public async Task<ChatMessage> Send(Guid conversationId, Guid clientMessageId, string text)
    {
        var message = new ChatMessage(
            clientMessageId, conversationId, Interlocked.Increment(ref _sequence), ChatMessageKind.Text, Context.UserIdentifier,
            ParticipantRole.Buyer, text, null, DateTimeOffset.UtcNow, null, false, "", null);
        await Clients.Group(GroupName(conversationId)).SendAsync("MessageReceived", message).ConfigureAwait(false);
        return message;
    }

    private static string GroupName(Guid conversationId) => "mpchat:" + conversationId.ToString("N");

    private static Guid ConversationIdOf(string transactionId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes(transactionId ?? "")).AsSpan(0, 16));
}
