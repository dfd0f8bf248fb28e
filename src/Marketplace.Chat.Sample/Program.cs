var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => "Marketplace.Chat sample");
app.Run();

/// <summary>Exposes the entry point to integration tests.</summary>
public partial class Program;
