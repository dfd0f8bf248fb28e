using Marketplace.Chat.Routing;
using Microsoft.AspNetCore.Http;

namespace Marketplace.Chat.Tests.Routing;

public sealed class ChatProblemDetailsShould
{
    [Theory]
    [InlineData(ChatErrorCode.RateLimited, StatusCodes.Status429TooManyRequests)]
    [InlineData(ChatErrorCode.TooManyConnections, StatusCodes.Status429TooManyRequests)]
    [InlineData(ChatErrorCode.Unavailable, StatusCodes.Status503ServiceUnavailable)]
    [InlineData(ChatErrorCode.ConversationNotAvailable, StatusCodes.Status404NotFound)]
    [InlineData(ChatErrorCode.TransactionUnknown, StatusCodes.Status404NotFound)]
    [InlineData(ChatErrorCode.InvalidArgument, StatusCodes.Status400BadRequest)]
    [InlineData(ChatErrorCode.AuthenticationRequired, StatusCodes.Status401Unauthorized)]
    [InlineData(ChatErrorCode.OriginNotAllowed, StatusCodes.Status403Forbidden)]
    [InlineData(ChatErrorCode.AttachmentTooLarge, StatusCodes.Status413PayloadTooLarge)]
    [InlineData(ChatErrorCode.AttachmentTypeNotAllowed, StatusCodes.Status415UnsupportedMediaType)]
    [InlineData(ChatErrorCode.TransitionRefused, StatusCodes.Status409Conflict)]
    [InlineData(ChatErrorCode.ChatLocked, StatusCodes.Status409Conflict)]
    public void Give_each_code_the_status_the_chats_own_endpoints_use(ChatErrorCode code, int status) =>
        Assert.Equal(status, ChatProblemDetails.StatusCodeOf(code));

    [Fact]
    public void Give_every_code_a_client_or_server_error_status()
    {
        foreach (var code in Enum.GetValues<ChatErrorCode>())
        {
            Assert.InRange(ChatProblemDetails.StatusCodeOf(code), 400, 599);
        }
    }

    [Fact]
    public void Carry_the_code_as_title_type_and_extension_and_the_sentence_as_detail()
    {
        var problem = ChatProblemDetails.Create(new ChatException(ChatErrorCode.RateLimited, "Slow down a little."));

        Assert.Equal(429, problem.Status);
        Assert.Equal("RateLimited", problem.Title);
        Assert.Equal("Slow down a little.", problem.Detail);
        Assert.Equal("https://marketplace.chat/errors/RateLimited", problem.Type);
        Assert.Equal("RateLimited", problem.Extensions["code"]);
    }

    [Fact]
    public void Answer_an_endpoint_with_the_same_status_as_the_table()
    {
        var result = ChatProblemDetails.ToResult(new ChatException(ChatErrorCode.Unavailable, "Try again in a moment."));

        Assert.Equal(503, Assert.IsAssignableFrom<IStatusCodeHttpResult>(result).StatusCode);
    }
}
