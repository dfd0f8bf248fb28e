using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Marketplace.Chat.Access;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;

namespace Marketplace.Chat.MicroBenchmarks;

public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

/// <summary>
/// The CPU-only steps a send goes through. MessageText and MessageHasher are internal to the package, so they are bound once
/// through reflection to ordinary delegates (a delegate call costs about a nanosecond; the package is not changed for this).
/// </summary>
[MemoryDiagnoser]
public class SendPathBenchmarks
{
    private delegate string HashFn(string previous, Guid conversationId, long sequence, ChatMessageKind kind, string? senderId, DateTimeOffset sentAt, string text, string? attachmentSha256);

    private static readonly Assembly Package = typeof(ChatOptions).Assembly;
    private static readonly Func<string, string> Clean = Bind<Func<string, string>>("Marketplace.Chat.Messages.MessageText", "Clean");
    private static readonly HashFn Hash = Bind<HashFn>("Marketplace.Chat.Messages.MessageHasher", "Compute");
    private static readonly Func<ConversationKind, ChatState, ChatTrigger, object?> FindRule =
        Bind<Func<ConversationKind, ChatState, ChatTrigger, object?>>("Marketplace.Chat.Lifecycle.ChatTransitionTable", "Find");

    private readonly Guid _conversation = Guid.NewGuid();
    private readonly DateTimeOffset _sentAt = DateTimeOffset.UtcNow;
    private readonly string _previous = new('a', 64);

    [Params(70, 4000)]
    public int Length { get; set; }

    private string _text = "";

    [GlobalSetup]
    public void Setup()
    {
        const string line = "Hello! Is the blue jacket still available in size M? I can pay today. ";
        _text = string.Concat(Enumerable.Repeat(line, (Length / line.Length) + 1))[..Length];
    }

    [Benchmark]
    public string MessageTextClean() => Clean(_text);

    [Benchmark]
    public string MessageHasherCompute() => Hash(_previous, _conversation, 42, ChatMessageKind.Text, "b1", _sentAt, _text, null);

    [Benchmark]
    public AccessDecision AccessDecide() => ChatAccessPolicy.Decide(ConversationKind.Transaction, ChatState.Open, ChatRelation.Buyer, ChatAction.Write, false);

    [Benchmark]
    public object? TransitionFind() => FindRule(ConversationKind.Transaction, ChatState.Open, ChatTrigger.DisputeOpened);

    private static T Bind<T>(string type, string method)
        where T : Delegate =>
        (Package.GetType(type, throwOnError: true)!.GetMethod(method, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new MissingMethodException(type, method)).CreateDelegate<T>();
}
