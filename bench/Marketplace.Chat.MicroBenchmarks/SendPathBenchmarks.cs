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
    public static void Main(string[] args)
    {
        if (args is ["--attachment-upload", .. var rest])
        {
            AttachmentUploadTiming.Run(rest);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}

/// <summary>
/// The CPU-only steps a send goes through. MessageText and EntryHasher are internal to the package, so they are bound once
/// through reflection to ordinary delegates (a delegate call costs about a nanosecond; the package is not changed for this).
/// </summary>
[MemoryDiagnoser]
public class SendPathBenchmarks
{
    private static readonly Assembly Package = typeof(ChatOptions).Assembly;
    private static readonly Func<string, string> Clean = Bind<Func<string, string>>("Marketplace.Chat.Messages.MessageText", "Clean");
    private static readonly Type EntryType = Package.GetType("Marketplace.Chat.Persistence.EntryRecord", throwOnError: true)!;
    private static readonly Func<byte[], object, string> Hash = BindHash();
    private static readonly Func<ConversationKind, ChatState, ChatTrigger, object?> FindRule =
        Bind<Func<ConversationKind, ChatState, ChatTrigger, object?>>("Marketplace.Chat.Lifecycle.ChatLifecycleMachine", "Find");

    private readonly Guid _conversation = Guid.NewGuid();
    private readonly DateTimeOffset _sentAt = DateTimeOffset.UtcNow;
    private readonly string _previous = new('a', 64);

    [Params(70, 4000)]
    public int Length { get; set; }

    private string _text = "";
    private object _entry = null!;
    private readonly byte[] _key = new byte[32];

    [GlobalSetup]
    public void Setup()
    {
        const string line = "Hello! Is the blue jacket still available in size M? I can pay today. ";
        _text = string.Concat(Enumerable.Repeat(line, (Length / line.Length) + 1))[..Length];
        _entry = Activator.CreateInstance(EntryType)!;
        void Set(string name, object? value) => EntryType.GetProperty(name)!.SetValue(_entry, value);
        Set("Id", Guid.NewGuid());
        Set("ConversationId", _conversation);
        Set("Sequence", 42L);
        Set("Kind", ChatMessageKind.Text);
        Set("SenderId", "b1");
        Set("SenderRole", ParticipantRole.Buyer);
        Set("Text", _text);
        Set("CreatedAt", _sentAt);
        Set("KeyId", "bench");
        Set("PreviousHash", _previous);
    }

    [Benchmark]
    public string MessageTextClean() => Clean(_text);

    [Benchmark]
    public string EntryHasherCompute() => Hash(_key, _entry);

    [Benchmark]
    public AccessDecision AccessDecide() => ChatAccessPolicy.Decide(ConversationKind.Transaction, ChatState.Open, ChatRelation.Buyer, ChatAction.Write, false);

    [Benchmark]
    public object? TransitionFind() => FindRule(ConversationKind.Transaction, ChatState.Open, ChatTrigger.DisputeOpened);

    private static Func<byte[], object, string> BindHash()
    {
        var method = Package.GetType("Marketplace.Chat.Messages.EntryHasher", throwOnError: true)!
            .GetMethod("Compute", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(byte[]), EntryType])
            ?? throw new MissingMethodException("EntryHasher", "Compute");
        var key = System.Linq.Expressions.Expression.Parameter(typeof(byte[]));
        var entry = System.Linq.Expressions.Expression.Parameter(typeof(object));
        return System.Linq.Expressions.Expression.Lambda<Func<byte[], object, string>>(
            System.Linq.Expressions.Expression.Call(method, key, System.Linq.Expressions.Expression.Convert(entry, EntryType)), key, entry).Compile();
    }

    private static T Bind<T>(string type, string method)
        where T : Delegate =>
        (Package.GetType(type, throwOnError: true)!.GetMethod(method, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new MissingMethodException(type, method)).CreateDelegate<T>();
}
