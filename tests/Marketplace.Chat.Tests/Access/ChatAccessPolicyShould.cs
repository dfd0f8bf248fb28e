using Marketplace.Chat.Access;
using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Tests.Access;

public class ChatAccessPolicyShould
{
    // The access matrix of DESIGN §3, as data. Columns: Read Write EditOwn DeleteOwn MarkRead Typing ReadEvidence.
    // Y allowed; N not available (same as a missing conversation); L locked; F frozen; C closed; R read-only;
    // E edits not allowed (dispute evidence); D dispute resolved.
    // The "disputed" column says whether a dispute was ever opened about the transaction.
    private const string Matrix = """
        Buyer    Transaction PendingPayment no  : Y L L L Y L N
        Buyer    Transaction Open           no  : Y Y Y Y Y Y N
        Buyer    Transaction Frozen         yes : Y F F F Y F N
        Buyer    Transaction Closed         no  : Y C C C Y C N
        Buyer    Transaction Closed         yes : Y C C C Y C N
        Buyer    Transaction Open           yes : Y Y Y Y Y Y N
        Seller   Transaction PendingPayment no  : Y L L L Y L N
        Seller   Transaction Open           no  : Y Y Y Y Y Y N
        Seller   Transaction Frozen         yes : Y F F F Y F N
        Seller   Transaction Closed         no  : Y C C C Y C N
        Admin    Transaction PendingPayment no  : N N N N N N N
        Admin    Transaction Open           no  : N N N N N N N
        Admin    Transaction Closed         no  : N N N N N N N
        Admin    Transaction Frozen         yes : Y R R R Y R Y
        Admin    Transaction Open           yes : Y R R R Y R Y
        Admin    Transaction Closed         yes : Y R R R Y R Y
        Outsider Transaction PendingPayment no  : N N N N N N N
        Outsider Transaction Open           no  : N N N N N N N
        Outsider Transaction Frozen         yes : N N N N N N N
        Outsider Transaction Closed         yes : N N N N N N N
        Buyer    Dispute     Open           no  : Y Y E E Y Y N
        Buyer    Dispute     UnderReview    no  : Y Y E E Y Y N
        Buyer    Dispute     Resolved       no  : Y D E E Y D N
        Seller   Dispute     Open           no  : Y Y E E Y Y N
        Seller   Dispute     UnderReview    no  : Y Y E E Y Y N
        Seller   Dispute     Resolved       no  : Y D E E Y D N
        Admin    Dispute     Open           no  : Y Y E E Y Y Y
        Admin    Dispute     UnderReview    no  : Y Y E E Y Y Y
        Admin    Dispute     Resolved       no  : Y D E E Y D Y
        Outsider Dispute     Open           no  : N N N N N N N
        Outsider Dispute     UnderReview    no  : N N N N N N N
        Outsider Dispute     Resolved       no  : N N N N N N N
        """;

    private static readonly ChatAction[] Columns =
        [ChatAction.Read, ChatAction.Write, ChatAction.EditOwn, ChatAction.DeleteOwn, ChatAction.MarkRead, ChatAction.Typing, ChatAction.ReadEvidence];

    // The relation travels by name: ChatRelation is internal, and a public test method cannot take it.
    public static TheoryData<string, ConversationKind, ChatState, bool, ChatAction, char> Cases()
    {
        var data = new TheoryData<string, ConversationKind, ChatState, bool, ChatAction, char>();
        foreach (var line in Matrix.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var halves = line.Split(':');
            var head = halves[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var cells = halves[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < Columns.Length; i++)
            {
                data.Add(
                    Enum.Parse<ChatRelation>(head[0]).ToString(),
                    Enum.Parse<ConversationKind>(head[1]),
                    Enum.Parse<ChatState>(head[2]),
                    head[3] == "yes",
                    Columns[i],
                    cells[i][0]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decide_every_relation_state_and_action_as_the_matrix_says(
        string relation, ConversationKind kind, ChatState state, bool disputed, ChatAction action, char expected)
    {
        var decision = ChatAccessPolicy.Decide(kind, state, Enum.Parse<ChatRelation>(relation), action, disputed);

        ChatErrorCode? code = expected switch
        {
            'Y' => null,
            'N' => ChatErrorCode.ConversationNotAvailable,
            'L' => ChatErrorCode.ChatLocked,
            'F' => ChatErrorCode.ChatFrozen,
            'C' => ChatErrorCode.ChatClosed,
            'R' => ChatErrorCode.ReadOnly,
            'E' => ChatErrorCode.EditNotAllowed,
            'D' => ChatErrorCode.DisputeResolved,
            _ => throw new ArgumentOutOfRangeException(nameof(expected)),
        };
        Assert.Equal(code is null, decision.Allowed);
        Assert.Equal(code, decision.Code);
        if (code is not null)
        {
            Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
        }
    }

    [Fact]
    public void Cover_every_state_of_each_kind_for_every_relation()
    {
        var rows = Cases().Select(row => (Enum.Parse<ChatRelation>((string)row[0]), (ConversationKind)row[1], (ChatState)row[2])).ToHashSet();
        foreach (var relation in Enum.GetValues<ChatRelation>())
        {
            foreach (var state in new[] { ChatState.PendingPayment, ChatState.Open, ChatState.Frozen, ChatState.Closed })
            {
                Assert.Contains((relation, ConversationKind.Transaction, state), rows);
            }

            foreach (var state in new[] { ChatState.Open, ChatState.UnderReview, ChatState.Resolved })
            {
                Assert.Contains((relation, ConversationKind.Dispute, state), rows);
            }
        }
    }

    [Fact]
    public void Tell_an_outsider_exactly_what_it_tells_about_a_missing_conversation()
    {
        var outsider = ChatAccessPolicy.Decide(ConversationKind.Transaction, ChatState.Open, ChatRelation.Outsider, ChatAction.Read, false);

        Assert.Equal(ChatAccessPolicy.NotAvailable, outsider);
        Assert.Equal(
            ChatAccessPolicy.NotAvailable,
            ChatAccessPolicy.Decide(ConversationKind.Transaction, ChatState.Open, ChatRelation.Admin, ChatAction.Read, false));
    }

    [Fact]
    public void Say_why_a_locked_chat_cannot_be_written_to()
    {
        var decision = ChatAccessPolicy.Decide(
            ConversationKind.Transaction, ChatState.PendingPayment, ChatRelation.Buyer, ChatAction.Write, false);

        var error = Assert.Throws<ChatException>(decision.ThrowIfDenied);
        Assert.Equal(ChatErrorCode.ChatLocked, error.Code);
        Assert.Equal("The chat unlocks when payment is confirmed.", error.Message);
    }
}
