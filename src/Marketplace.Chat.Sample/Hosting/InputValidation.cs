using System.Collections.Concurrent;
using System.Reflection;
using Marketplace.Chat.Routing;
using Microsoft.AspNetCore.Diagnostics;

namespace Marketplace.Chat.Sample.Hosting;

/// <summary>
/// Refuses input that can never be valid before it reaches the database: a NUL (PostgreSQL refuses it in text and answers
/// with an error), other control characters except tab and line breaks, unpaired UTF-16 surrogates and the noncharacters
/// U+FFFE/U+FFFF, in route values, the query string and every string of a JSON body. The answer is
/// <c>400 InvalidArgument</c>, like the chat's own refusals.
/// </summary>
public static class InputValidation
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> StringProperties = new();

    /// <summary>Decides whether a text may be stored and compared as it is.</summary>
    public static bool IsValidText(string? text)
    {
        if (text is null)
        {
            return true;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }

                return false;
            }

            if (char.IsLowSurrogate(c) || c is '\uFFFE' or '\uFFFF' || (char.IsControl(c) && c is not ('\t' or '\n' or '\r')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An endpoint filter that refuses a request carrying text <see cref="IsValidText"/> rejects.</summary>
    public static async ValueTask<object?> RefuseInvalidText(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        var valid = request.RouteValues.Values.All(v => v is not string s || IsValidText(s))
            && request.Query.All(q => q.Value.All(IsValidText))
            && context.Arguments.All(IsValidArgument);
        return valid ? await next(context) : Invalid();
    }

    /// <summary>The answer to invalid input.</summary>
    public static IResult Invalid() => ChatProblemDetails.ToResult(
        new ChatException(ChatErrorCode.InvalidArgument, "The request contains a character that is not allowed (a control character or a broken one)."));

    private static bool IsValidArgument(object? argument) => argument switch
    {
        null => true,
        string text => IsValidText(text),
        _ when argument.GetType().Namespace?.StartsWith("Marketplace.Chat.Sample", StringComparison.Ordinal) == true =>
            StringProperties.GetOrAdd(argument.GetType(), static type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Where(p => p.PropertyType == typeof(string) && p.GetIndexParameters().Length == 0).ToArray())
                .All(p => IsValidText((string?)p.GetValue(argument))),
        _ => true,
    };
}

/// <summary>
/// Answers a request the framework could not bind (malformed JSON, a missing body, a route value of the wrong type) with
/// <c>400 InvalidArgument</c> ProblemDetails instead of a bare 400; with <c>ThrowOnBadRequest</c> on, minimal APIs raise these.
/// </summary>
public sealed class BadRequestHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted)
        {
            return false;
        }

        var problem = ChatProblemDetails.Create(new ChatException(ChatErrorCode.InvalidArgument, "The request could not be read: send valid JSON of the expected shape."));
        problem.Status = bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : StatusCodes.Status400BadRequest;
        httpContext.Response.StatusCode = problem.Status.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }
}
