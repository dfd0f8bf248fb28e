using Marketplace.Chat.EvidenceVerifier;

return await VerifierCommand.RunAsync(args, Console.Out, Console.Error);
